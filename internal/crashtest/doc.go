// Package crashtest is the durability proof of the server (issue 13). Its
// tests build cmd/accountplane, run the real binary on the SQLite store and
// on PostgreSQL, and drive it with aws-sdk-go-v2 clients:
//
//   - the crash harness kills the server with SIGKILL at random moments
//     under concurrent writes, restarts it, and checks that every write it
//     acknowledged is there, with its CloudTrail record and events, and
//     that nothing is half done or made up;
//   - with two replicas over one PostgreSQL, it kills one in the middle of
//     a Region transition and of an account creation and checks that the
//     other completes each exactly once;
//   - it takes PostgreSQL away (through a TCP proxy) and brings it back,
//     checking what clients see meanwhile and that service resumes
//     without a restart.
//
// The tests skip under -short; the PostgreSQL ones also skip unless
// ACCOUNTPLANE_TEST_POSTGRES names a server. ACCOUNTPLANE_CRASH_ROUNDS and
// ACCOUNTPLANE_CRASH_LOAD (the longest time under load before a kill, e.g.
// 2s) make the harness run longer; ACCOUNTPLANE_CRASH_LOGS=DIR keeps the
// servers' logs there.
//
// The package has no code of its own outside its tests.
package crashtest
