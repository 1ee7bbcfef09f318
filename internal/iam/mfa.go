package iam

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/arn"
	"github.com/accountplane/accountplane/internal/identity"
)

// CodeInvalidAuthenticationCode is IAM's answer to MFA codes that do not
// verify (403). Wire contract: do not rename.
const CodeInvalidAuthenticationCode = "InvalidAuthenticationCode"

// MFA limits.
const (
	// QuotaMFADevicesPerUser is how many MFA devices an IAM user or the
	// root user may have (spec/security.md §12.4).
	QuotaMFADevicesPerUser = 8
	// mfaSeedBytes is the size of a virtual device's secret: 40 bytes, 64
	// Base32 characters, as IAM's seeds are.
	mfaSeedBytes = 40
	// totpStep is RFC 6238's time step.
	totpStep = 30 * time.Second
	// verifyWindow is how many steps either side of the current one a
	// code may come from (clock skew between the device and the server).
	verifyWindow = 1
	// enableWindow is how far back (in steps) the first of the two
	// consecutive codes of EnableMFADevice may be.
	enableWindow = 3
	// resyncWindow is how far (in steps, either side) ResyncMFADevice
	// looks for the two codes: ten minutes.
	resyncWindow = 20
)

var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

// Serial returns the device's serial number, its ARN:
// arn:aws:iam::ACCOUNT:mfa/PATH/NAME.
func (d *MFADevice) Serial() string {
	return MFASerial(d.Account, d.Path, d.Name)
}

// MFASerial returns the serial number (ARN) of virtual MFA device name
// with path in acct.
func MFASerial(acct identity.AccountID, path, name string) string {
	return arn.IAM(string(acct), "mfa", path, name)
}

// Base32Seed returns the device's secret as an authenticator app takes it.
func (d *MFADevice) Base32Seed() string { return base32NoPad.EncodeToString(d.Seed) }

// Assigned reports whether the device is enabled for a user or the root
// user.
func (d *MFADevice) Assigned() bool { return d.Root || d.User != "" }

// totpAt returns the six-digit RFC 6238 code of seed for time step n
// (HMAC-SHA1 over the big-endian step, dynamic truncation).
func totpAt(seed []byte, n int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(n))
	mac := hmac.New(sha1.New, seed)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

// TOTP returns the code an authenticator app shows for the Base32 seed at
// time t. It is for tools and tests that stand in for the app.
func TOTP(base32Seed string, t time.Time) (string, error) {
	seed, err := base32NoPad.DecodeString(strings.ToUpper(strings.TrimRight(base32Seed, "=")))
	if err != nil {
		return "", fmt.Errorf("iam: bad base32 seed: %w", err)
	}
	return totpAt(seed, stepOf(t)), nil
}

// stepOf is the RFC 6238 time step of t.
func stepOf(t time.Time) int64 { return t.Unix() / int64(totpStep/time.Second) }

func sameCode(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// codeStep returns the step in [from, to] whose code is code.
func codeStep(seed []byte, code string, from, to int64) (int64, bool) {
	for n := from; n <= to; n++ {
		if sameCode(totpAt(seed, n), code) {
			return n, true
		}
	}
	return 0, false
}

// consecutiveStep returns the step n in [from, to] with code1 the code of
// n and code2 the code of n+1.
func consecutiveStep(seed []byte, code1, code2 string, from, to int64) (int64, bool) {
	for n := from; n <= to; n++ {
		if sameCode(totpAt(seed, n), code1) && sameCode(totpAt(seed, n+1), code2) {
			return n, true
		}
	}
	return 0, false
}

// checkCode verifies a one-time code of device d at time now: the code of
// the current step (the device's drift applied) or of a step next to it.
// Codes are checked against the domain clock.
func checkCode(d *MFADevice, code string, now time.Time) bool {
	cur := stepOf(now) + int64(d.Drift)
	_, ok := codeStep(d.Seed, code, cur-verifyWindow, cur+verifyWindow)
	return ok
}

func invalidCodes() *apierr.Error {
	return &apierr.Error{Code: CodeInvalidAuthenticationCode, Message: "Authentication code for device is not valid.", Fault: apierr.Client}
}

func noSuchDevice(serial string) *apierr.Error {
	return noSuchEntity("VirtualMFADevice with serial number %s doesn't exist.", serial)
}

// findDevice returns the virtual MFA device of acct whose serial number is
// serial, or NoSuchEntity.
func findDevice(ctx context.Context, tx Tx, acct identity.AccountID, serial string) (*MFADevice, error) {
	prefix := arn.IAM(string(acct), "mfa", "/", "")
	if !strings.HasPrefix(serial, prefix) {
		return nil, noSuchDevice(serial)
	}
	name := serial[strings.LastIndex(serial, "/")+1:]
	d, err := tx.MFADevice(ctx, acct, name)
	if notFound(err) || (err == nil && d.Serial() != serial) {
		return nil, noSuchDevice(serial)
	}
	return d, err
}

// newDevice makes a device with a fresh seed.
func (s *Service) newDevice(acct identity.AccountID, name, path string, tags []Tag) (*MFADevice, error) {
	seed, err := s.randomBytes(mfaSeedBytes)
	if err != nil {
		return nil, err
	}
	return &MFADevice{Account: acct, Name: name, Path: orRoot(path), Seed: seed, CreatedAt: s.Now(), Tags: tags}, nil
}

// putNewDevice stores d unless its name is taken.
func putNewDevice(ctx context.Context, tx Tx, d *MFADevice) error {
	if _, err := tx.MFADevice(ctx, d.Account, d.Name); err == nil {
		return alreadyExists("MFADevice entity at the same path and name already exists.")
	} else if !notFound(err) {
		return err
	}
	if len(d.Serial()) > 256 {
		return validation("1 validation error detected: Value '%s' at 'serialNumber' failed to satisfy constraint: Member must have length less than or equal to 256", d.Serial())
	}
	return tx.PutMFADevice(ctx, d)
}

// CreateVirtualMFADevice creates an unassigned virtual MFA device with a
// new seed. Returns EntityAlreadyExists if the name is taken (in any
// path) and InvalidInput for bad tags.
func (s *Service) CreateVirtualMFADevice(ctx context.Context, acct identity.AccountID, name, path string, tags []Tag) (*MFADevice, error) {
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	d, err := s.newDevice(acct, name, path, tags)
	if err != nil {
		return nil, err
	}
	return d, s.update(ctx, func(tx Tx) error { return putNewDevice(ctx, tx, d) })
}

// devicesOf lists the devices assigned to user ("" for the root user).
func devicesOf(ctx context.Context, tx Tx, acct identity.AccountID, user string) ([]MFADevice, error) {
	all, err := tx.MFADevices(ctx, acct)
	if err != nil {
		return nil, err
	}
	var out []MFADevice
	for _, d := range all {
		if (user == "" && d.Root) || (user != "" && !d.Root && sameName(d.User, user)) {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EnabledAt.Before(out[j].EnabledAt) })
	return out, nil
}

// EnableMFADevice assigns virtual MFA device serial to IAM user, proving
// possession with two consecutive codes (the first from at most a minute
// and a half ago, by the domain clock). Returns NoSuchEntity for an
// unknown user or device, EntityAlreadyExists for a device in use,
// LimitExceeded past eight devices and InvalidAuthenticationCode.
func (s *Service) EnableMFADevice(ctx context.Context, acct identity.AccountID, user, serial, code1, code2 string) error {
	now := s.Now()
	return s.update(ctx, func(tx Tx) error {
		u, err := getUser(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		d, err := findDevice(ctx, tx, acct, serial)
		if err != nil {
			return err
		}
		if d.Assigned() {
			return alreadyExists("MFA Device is already in use.")
		}
		mine, err := devicesOf(ctx, tx, acct, u.Name)
		if err != nil {
			return err
		}
		if len(mine) >= QuotaMFADevicesPerUser {
			return limitExceeded("Cannot exceed quota for MFADevicesPerUser: %d", QuotaMFADevicesPerUser)
		}
		cur := stepOf(now)
		n, ok := consecutiveStep(d.Seed, code1, code2, cur-enableWindow, cur)
		if !ok {
			return invalidCodes()
		}
		d.User, d.Root, d.EnabledAt, d.Drift = u.Name, false, now, int(n+1-cur)
		return tx.PutMFADevice(ctx, d)
	})
}

// ResyncMFADevice resynchronizes device serial of IAM user with two
// consecutive codes from up to ten minutes either side of the domain
// clock; later codes are checked with the drift found. Returns
// NoSuchEntity and InvalidAuthenticationCode.
func (s *Service) ResyncMFADevice(ctx context.Context, acct identity.AccountID, user, serial, code1, code2 string) error {
	now := s.Now()
	return s.update(ctx, func(tx Tx) error {
		u, err := getUser(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		d, err := findDevice(ctx, tx, acct, serial)
		if err != nil {
			return err
		}
		if d.Root || !sameName(d.User, u.Name) {
			return noSuchDevice(serial)
		}
		cur := stepOf(now)
		n, ok := consecutiveStep(d.Seed, code1, code2, cur-resyncWindow, cur+resyncWindow)
		if !ok {
			return invalidCodes()
		}
		d.Drift = int(n + 1 - cur)
		return tx.PutMFADevice(ctx, d)
	})
}

// DeactivateMFADevice unassigns device serial from IAM user; the device is
// kept (DeleteVirtualMFADevice removes it). Returns NoSuchEntity when the
// user does not exist or the device is not assigned to it.
func (s *Service) DeactivateMFADevice(ctx context.Context, acct identity.AccountID, user, serial string) error {
	return s.update(ctx, func(tx Tx) error {
		u, err := getUser(ctx, tx, acct, user)
		if err != nil {
			return err
		}
		d, err := findDevice(ctx, tx, acct, serial)
		if err != nil {
			return err
		}
		if d.Root || !sameName(d.User, u.Name) {
			return noSuchEntity("MFA Device with serial number %s does not exist.", serial)
		}
		d.User, d.EnabledAt, d.Drift = "", time.Time{}, 0
		return tx.PutMFADevice(ctx, d)
	})
}

// DeleteVirtualMFADevice deletes an unassigned virtual MFA device.
// Returns NoSuchEntity and DeleteConflict for a device still assigned.
func (s *Service) DeleteVirtualMFADevice(ctx context.Context, acct identity.AccountID, serial string) error {
	return s.update(ctx, func(tx Tx) error {
		d, err := findDevice(ctx, tx, acct, serial)
		if err != nil {
			return err
		}
		if d.Assigned() {
			return deleteConflict("MFA Device is still in use.")
		}
		return tx.DeleteMFADevice(ctx, acct, d.Name)
	})
}

// MFADevices lists the devices assigned to IAM user ("" for the root
// user), in the order they were enabled. Returns NoSuchEntity for an
// unknown user.
func (s *Service) MFADevices(ctx context.Context, acct identity.AccountID, user string) ([]MFADevice, error) {
	var out []MFADevice
	err := s.view(ctx, func(tx Tx) error {
		if user != "" {
			u, err := getUser(ctx, tx, acct, user)
			if err != nil {
				return err
			}
			user = u.Name
		}
		var err error
		out, err = devicesOf(ctx, tx, acct, user)
		return err
	})
	return out, err
}

// Assignment filters of VirtualMFADevices.
const (
	AssignmentAny        = "Any"
	AssignmentAssigned   = "Assigned"
	AssignmentUnassigned = "Unassigned"
)

// VirtualMFADevices lists the account's virtual MFA devices with the
// given assignment status ("" or Any for all), sorted by serial number.
func (s *Service) VirtualMFADevices(ctx context.Context, acct identity.AccountID, status string) ([]MFADevice, error) {
	var out []MFADevice
	err := s.view(ctx, func(tx Tx) error {
		all, err := tx.MFADevices(ctx, acct)
		for _, d := range all {
			switch {
			case status == AssignmentAssigned && !d.Assigned(), status == AssignmentUnassigned && d.Assigned():
				continue
			}
			out = append(out, d)
		}
		return err
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Serial() < out[j].Serial() })
	return out, err
}

// MFADevice returns the account's virtual MFA device with serial number
// serial, or NoSuchEntity.
func (s *Service) MFADevice(ctx context.Context, acct identity.AccountID, serial string) (*MFADevice, error) {
	var d *MFADevice
	err := s.view(ctx, func(tx Tx) (err error) {
		d, err = findDevice(ctx, tx, acct, serial)
		return err
	})
	return d, err
}

// Root user MFA (the emulator's admin API; AWS offers it in the console
// only).

// AddRootMFADevice registers and activates a virtual MFA device named
// name for the root user of acct (serial arn:aws:iam::ACCT:mfa/NAME).
// Returns NoSuchEntity for an unknown account, EntityAlreadyExists if the
// name is taken, LimitExceeded past eight devices and
// RootCredentialsRemoved for a root user whose credentials centralized
// root access removed.
func (s *Service) AddRootMFADevice(ctx context.Context, acct identity.AccountID, name string) (*MFADevice, error) {
	d, err := s.newDevice(acct, name, "/", nil)
	if err != nil {
		return nil, err
	}
	d.Root, d.EnabledAt = true, d.CreatedAt
	err = s.update(ctx, func(tx Tx) error {
		if _, err := tx.Account(ctx, acct); notFound(err) {
			return noSuchEntity("The account %s cannot be found.", acct)
		} else if err != nil {
			return err
		}
		if err := checkRootCredentialsAllowed(ctx, tx, acct); err != nil {
			return err
		}
		mine, err := devicesOf(ctx, tx, acct, "")
		if err != nil {
			return err
		}
		if len(mine) >= QuotaMFADevicesPerUser {
			return limitExceeded("Cannot exceed quota for MFADevicesPerUser: %d", QuotaMFADevicesPerUser)
		}
		return putNewDevice(ctx, tx, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DeleteRootMFADevice deactivates and deletes the root user's device
// name. Returns NoSuchEntity when the root user of acct has no such
// device.
func (s *Service) DeleteRootMFADevice(ctx context.Context, acct identity.AccountID, name string) error {
	return s.update(ctx, func(tx Tx) error {
		d, err := tx.MFADevice(ctx, acct, name)
		if notFound(err) || (err == nil && !d.Root) {
			return noSuchEntity("The root user of account %s has no MFA device named %s.", acct, name)
		} else if err != nil {
			return err
		}
		return tx.DeleteMFADevice(ctx, acct, d.Name)
	})
}

// mfaFailed is STS's answer to a one-time code that does not verify.
func mfaFailed() *apierr.Error {
	return accessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code. ")
}

// verifyCallerMFA checks that serial names an MFA device of the caller (an
// IAM user, or the root user) and that code is its current one-time code.
// It returns AccessDenied as STS does.
func verifyCallerMFA(ctx context.Context, tx Tx, caller identity.Principal, serial, code string, now time.Time) error {
	if serial == "" || code == "" {
		return accessDenied("MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.")
	}
	d, err := findDevice(ctx, tx, caller.Account, serial)
	if apierr.HasCode(err, CodeNoSuchEntity) {
		return accessDenied("MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.")
	} else if err != nil {
		return err
	}
	owned := (caller.Type == identity.Root && d.Root) || (caller.Type == identity.IAMUser && !d.Root && sameName(d.User, caller.Name))
	if !owned {
		return accessDenied("MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.")
	}
	if !checkCode(d, code, now) {
		return mfaFailed()
	}
	return nil
}
