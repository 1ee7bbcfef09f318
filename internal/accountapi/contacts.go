package accountapi

import (
	"context"

	"github.com/accountplane/accountplane/internal/account"
)

// AlternateContact is the wire shape of an alternate contact.
type AlternateContact struct {
	AlternateContactType *string `json:"AlternateContactType,omitempty"`
	EmailAddress         *string `json:"EmailAddress,omitempty"`
	Name                 *string `json:"Name,omitempty"`
	PhoneNumber          *string `json:"PhoneNumber,omitempty"`
	Title                *string `json:"Title,omitempty"`
}

type getAlternateContactInput struct {
	AccountId            *string
	AlternateContactType *string
}

func (in *getAlternateContactInput) validate(c *check) {
	c.accountID("AccountId", in.AccountId, optional)
	c.str("AlternateContactType", in.AlternateContactType, required, shapeAuthorizedContactType)
}

type getAlternateContactOutput struct {
	AlternateContact *AlternateContact `json:"AlternateContact,omitempty"`
}

func (a *api) getAlternateContact(ctx context.Context, t account.Target, in *getAlternateContactInput) (*getAlternateContactOutput, error) {
	c, err := a.svc.AlternateContact(ctx, t, account.AlternateContactType(*in.AlternateContactType))
	if err != nil {
		return nil, err
	}
	typ := string(c.Type)
	return &getAlternateContactOutput{AlternateContact: &AlternateContact{
		AlternateContactType: &typ, EmailAddress: &c.EmailAddress, Name: &c.Name, PhoneNumber: &c.PhoneNumber, Title: &c.Title,
	}}, nil
}

type putAlternateContactInput struct {
	AccountId            *string
	AlternateContactType *string
	EmailAddress         *string
	Name                 *string
	PhoneNumber          *string
	Title                *string
}

func (in *putAlternateContactInput) validate(c *check) {
	c.accountID("AccountId", in.AccountId, optional)
	c.str("AlternateContactType", in.AlternateContactType, required, shapeAuthorizedContactType)
	c.str("EmailAddress", in.EmailAddress, required, shapeEmailAddress)
	c.str("Name", in.Name, required, shapeName)
	c.str("PhoneNumber", in.PhoneNumber, required, shapePhoneNumber)
	c.str("Title", in.Title, required, shapeTitle)
}

func (a *api) putAlternateContact(ctx context.Context, t account.Target, in *putAlternateContactInput) (*empty, error) {
	return nil, a.svc.PutAlternateContact(ctx, t, account.AlternateContact{
		Type: account.AlternateContactType(*in.AlternateContactType), Name: *in.Name, Title: *in.Title,
		EmailAddress: *in.EmailAddress, PhoneNumber: *in.PhoneNumber,
	})
}

type deleteAlternateContactInput struct {
	AccountId            *string
	AlternateContactType *string
}

func (in *deleteAlternateContactInput) validate(c *check) {
	c.accountID("AccountId", in.AccountId, optional)
	c.str("AlternateContactType", in.AlternateContactType, required, shapeAuthorizedContactType)
}

func (a *api) deleteAlternateContact(ctx context.Context, t account.Target, in *deleteAlternateContactInput) (*empty, error) {
	return nil, a.svc.DeleteAlternateContact(ctx, t, account.AlternateContactType(*in.AlternateContactType))
}

// ContactInformation is the wire shape of the primary contact.
type ContactInformation struct {
	AddressLine1     *string `json:"AddressLine1,omitempty"`
	AddressLine2     *string `json:"AddressLine2,omitempty"`
	AddressLine3     *string `json:"AddressLine3,omitempty"`
	City             *string `json:"City,omitempty"`
	CompanyName      *string `json:"CompanyName,omitempty"`
	CountryCode      *string `json:"CountryCode,omitempty"`
	DistrictOrCounty *string `json:"DistrictOrCounty,omitempty"`
	FullName         *string `json:"FullName,omitempty"`
	PhoneNumber      *string `json:"PhoneNumber,omitempty"`
	PostalCode       *string `json:"PostalCode,omitempty"`
	StateOrRegion    *string `json:"StateOrRegion,omitempty"`
	WebsiteUrl       *string `json:"WebsiteUrl,omitempty"`
}

func (ci *ContactInformation) validate(c *check, prefix string) {
	c.str(prefix+"AddressLine1", ci.AddressLine1, required, shapeAddressLine)
	c.str(prefix+"AddressLine2", ci.AddressLine2, optional, shapeAddressLine)
	c.str(prefix+"AddressLine3", ci.AddressLine3, optional, shapeAddressLine)
	c.str(prefix+"City", ci.City, required, shapeCity)
	c.str(prefix+"CompanyName", ci.CompanyName, optional, shapeCompanyName)
	c.str(prefix+"CountryCode", ci.CountryCode, required, shapeCountryCode)
	c.str(prefix+"DistrictOrCounty", ci.DistrictOrCounty, optional, shapeDistrictOrCounty)
	c.str(prefix+"FullName", ci.FullName, required, shapeFullName)
	c.str(prefix+"PhoneNumber", ci.PhoneNumber, required, shapeContactPhoneNumber)
	c.str(prefix+"PostalCode", ci.PostalCode, required, shapePostalCode)
	c.str(prefix+"StateOrRegion", ci.StateOrRegion, optional, shapeStateOrRegion)
	c.str(prefix+"WebsiteUrl", ci.WebsiteUrl, optional, shapeWebsiteURL)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func ref(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (ci *ContactInformation) domain() account.ContactInformation {
	return account.ContactInformation{
		FullName: deref(ci.FullName), AddressLine1: deref(ci.AddressLine1), AddressLine2: deref(ci.AddressLine2),
		AddressLine3: deref(ci.AddressLine3), City: deref(ci.City), StateOrRegion: deref(ci.StateOrRegion),
		DistrictOrCounty: deref(ci.DistrictOrCounty), PostalCode: deref(ci.PostalCode), CountryCode: deref(ci.CountryCode),
		PhoneNumber: deref(ci.PhoneNumber), CompanyName: deref(ci.CompanyName), WebsiteURL: deref(ci.WebsiteUrl),
	}
}

func wireContactInformation(c *account.ContactInformation) *ContactInformation {
	return &ContactInformation{
		FullName: ref(c.FullName), AddressLine1: ref(c.AddressLine1), AddressLine2: ref(c.AddressLine2),
		AddressLine3: ref(c.AddressLine3), City: ref(c.City), StateOrRegion: ref(c.StateOrRegion),
		DistrictOrCounty: ref(c.DistrictOrCounty), PostalCode: ref(c.PostalCode), CountryCode: ref(c.CountryCode),
		PhoneNumber: ref(c.PhoneNumber), CompanyName: ref(c.CompanyName), WebsiteUrl: ref(c.WebsiteURL),
	}
}

type getContactInformationInput struct {
	AccountId *string
}

func (in *getContactInformationInput) validate(c *check) {
	c.accountID("AccountId", in.AccountId, optional)
}

type getContactInformationOutput struct {
	ContactInformation *ContactInformation `json:"ContactInformation,omitempty"`
	VerificationStatus string              `json:"VerificationStatus,omitempty"`
}

func (a *api) getContactInformation(ctx context.Context, t account.Target, in *getContactInformationInput) (*getContactInformationOutput, error) {
	c, status, err := a.svc.ContactInformation(ctx, t)
	if err != nil {
		return nil, err
	}
	return &getContactInformationOutput{ContactInformation: wireContactInformation(c), VerificationStatus: string(status)}, nil
}

type putContactInformationInput struct {
	AccountId          *string
	ContactInformation *ContactInformation
}

func (in *putContactInformationInput) validate(c *check) {
	c.accountID("AccountId", in.AccountId, optional)
	if in.ContactInformation == nil {
		c.fail("ContactInformation", "Member must not be null", true)
		return
	}
	in.ContactInformation.validate(c, "ContactInformation.")
}

func (a *api) putContactInformation(ctx context.Context, t account.Target, in *putContactInformationInput) (*empty, error) {
	return nil, a.svc.PutContactInformation(ctx, t, in.ContactInformation.domain())
}

type phoneInput struct {
	AccountId *string
}

func (in *phoneInput) validate(c *check) { c.accountID("AccountId", in.AccountId, optional) }

type verifyPhoneInput struct {
	AccountId *string
	Otp       *string
}

func (in *verifyPhoneInput) validate(c *check) {
	c.accountID("AccountId", in.AccountId, optional)
	c.str("Otp", in.Otp, required, shapeOtp)
}

type phoneOutput struct {
	Status string `json:"Status,omitempty"`
}

func (a *api) sendPhoneNumberVerification(ctx context.Context, t account.Target, in *phoneInput) (*phoneOutput, error) {
	st, err := a.svc.SendPhoneVerification(ctx, t)
	if err != nil {
		return nil, err
	}
	return &phoneOutput{Status: string(st)}, nil
}

func (a *api) verifyPhoneNumber(ctx context.Context, t account.Target, in *verifyPhoneInput) (*phoneOutput, error) {
	st, err := a.svc.VerifyPhone(ctx, t, *in.Otp)
	if err != nil {
		return nil, err
	}
	return &phoneOutput{Status: string(st)}, nil
}
