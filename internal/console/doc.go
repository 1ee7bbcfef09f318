// Package console is accountplane's web console: server-rendered pages
// (html/template, assets embedded with go:embed, a little progressive
// JavaScript, nothing from a CDN) for the AWS console tasks of the guide
// this product follows: the Account page, Security credentials,
// Organizations (with centralized root access), the CloudTrail event
// history, the root posture report, and the emulator's own controls. It is served by the same binary at /_accountplane/console/.
//
// # One way in
//
// Every action is an operation of the server's one pipeline, run through
// [Invoker] (server.Server.Invoke) as the signed-in principal: decoded
// and validated against the model, authorized (the decision is kept for
// explain), throttled, faulted, and recorded in CloudTrail like an API
// call, with userAgent "AWS Internal" and sessionCredentialFromConsole
// "true", as AWS records its console's calls. Console-only tasks (closing
// a standalone account, the root user's password and MFA devices) are
// operations of in-process services run the same way. The console never calls a domain
// service. The Emulator page is a UI over the admin API: it forwards its
// requests, as the browser's, to the admin handler, whose guard decides
// (loopback clients, or the --admin-token).
//
// # Sign-in
//
// A user signs in with an access key pair (checked against the keys
// SigV4 uses, [Keys]), or with a password and MFA code through
// [PasswordSignIn] (Config.Password): the sign-in page's root-user and
// IAM-user forms, and POST /_accountplane/signin ([Console.SignInAPI]),
// which answers JSON and starts the same session. Either way the console
// keeps a server-side session (in
// memory: a restart signs everyone out) behind a random id in an
// HttpOnly, SameSite=Strict cookie (Secure over TLS). Every form carries
// a CSRF token bound to the session, checked on every POST, and a POST
// whose Origin (or Referer) is another site's is refused.
//
// It imports server, operation, identity and apierr; never a domain
// package or a store.
package console
