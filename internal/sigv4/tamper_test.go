package sigv4_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/sigv4"
)

// tampered is a server-side request whose parts a test case may change
// before verification.
type tampered struct {
	r     *http.Request
	body  []byte
	v     *sigv4.Verifier
	creds creds
}

// setAuth rewrites the Authorization header with old replaced by new.
func (tp *tampered) setAuth(old, new string) {
	tp.r.Header.Set("Authorization", strings.Replace(tp.r.Header.Get("Authorization"), old, new, 1))
}

func (tp *tampered) signature() string {
	_, sig, _ := strings.Cut(tp.r.Header.Get("Authorization"), "Signature=")
	return sig
}

// flipHex returns sig with its last digit changed to another lower-case hex
// digit.
func flipHex(sig string) string {
	last := sig[len(sig)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return sig[:len(sig)-1] + string(repl)
}

func TestVerifyRejectsTampering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		key     string              // signing key; default testKey
		sign    func(c *signedCase) // changes the request before it is signed
		tamper  func(tp *tampered)
		want    sigv4.Kind // 0 means the request must still verify
		wantMsg string     // exact message if set
	}{
		{name: "untouched", tamper: func(*tampered) {}},
		{name: "unsigned header changed", tamper: func(tp *tampered) { tp.r.Header.Set("User-Agent", "evil") }},
		{name: "clock 14 minutes ahead", tamper: func(tp *tampered) { tp.v.Now = func() time.Time { return signTime.Add(14 * time.Minute) } }},
		{name: "clock 14 minutes behind", tamper: func(tp *tampered) { tp.v.Now = func() time.Time { return signTime.Add(-14 * time.Minute) } }},

		{name: "body changed", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.body = []byte(`{"AlternateContactType":"SECURITY"}`) },
			wantMsg: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		{name: "body dropped", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.body = nil }},
		{name: "signed header changed", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.r.Header.Set("Content-Type", "text/plain") }},
		{name: "signed header repeated", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.r.Header.Add("Content-Type", "text/plain") }},
		{name: "X-Amz-Date changed", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.r.Header.Set("X-Amz-Date", "20260102T030406Z") }},
		{name: "X-Amz-Date on another day than scope", want: sigv4.Mismatch, tamper: func(tp *tampered) {
			tp.r.Header.Set("X-Amz-Date", "20260101T235959Z")
			tp.v.Now = func() time.Time { return time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC) }
		}, wantMsg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260102' != '20260101', from '20260101T235959Z'."},
		{name: "scope region changed", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.setAuth("/us-east-1/", "/eu-west-3/") }},
		{name: "scope service changed", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.setAuth("/account/", "/organizations/") }},
		{name: "signature one hex digit changed", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.setAuth(tp.signature(), flipHex(tp.signature())) }},
		{name: "signature upper case", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.setAuth(tp.signature(), strings.ToUpper(tp.signature())) }},
		{name: "signature truncated", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.setAuth(tp.signature(), tp.signature()[:62]) }},
		{name: "host port changed", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.r.Host = "127.0.0.1:4567" }},
		{name: "host port dropped", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.r.Host = "127.0.0.1" }},
		{name: "path changed", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.r.RequestURI = "/putAlternateContact" }},
		{name: "query added", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.r.URL.RawQuery = "x=1" }},
		{name: "method changed", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.r.Method = "PUT" }},
		{name: "SignedHeaders reduced", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.setAuth("SignedHeaders=content-length;content-type;host", "SignedHeaders=host") }},
		{name: "wrong secret", want: sigv4.Mismatch, tamper: func(tp *tampered) { tp.creds[testKey] = sigv4.Credential{Secret: "other"} }},
		{name: "X-Amz-Content-Sha256 not matching body", want: sigv4.Mismatch, sign: func(c *signedCase) {
			c.payloadHash = hexSHA256([]byte("other"))
			c.header = http.Header{"Content-Type": {"application/json"}, "X-Amz-Content-Sha256": {c.payloadHash}}
		}, tamper: func(*tampered) {}},

		{name: "unknown key", want: sigv4.UnknownKey, tamper: func(tp *tampered) { tp.setAuth("Credential="+testKey, "Credential=AKIDUNKNOWN") },
			wantMsg: "The security token included in the request is invalid."},

		{name: "clock 16 minutes ahead", want: sigv4.Expired, tamper: func(tp *tampered) { tp.v.Now = func() time.Time { return signTime.Add(16 * time.Minute) } },
			wantMsg: "Signature expired: 20260102T030405Z is now earlier than 20260102T030505Z (20260102T032005Z - 15 min.)"},
		{name: "clock 16 minutes behind", want: sigv4.Expired, tamper: func(tp *tampered) { tp.v.Now = func() time.Time { return signTime.Add(-16 * time.Minute) } },
			wantMsg: "Signature not yet current: 20260102T030405Z is still later than 20260102T030305Z (20260102T024805Z + 15 min.)"},
		{name: "custom MaxSkew", want: sigv4.Expired, tamper: func(tp *tampered) {
			tp.v.MaxSkew = 5 * time.Minute
			tp.v.Now = func() time.Time { return signTime.Add(6 * time.Minute) }
		}, wantMsg: "Signature expired: 20260102T030405Z is now earlier than 20260102T030505Z (20260102T031005Z - 5 min.)"},

		{name: "token sent to long-term key", want: sigv4.BadToken, sign: func(c *signedCase) {
			c.header = http.Header{"Content-Type": {"application/json"}, "X-Amz-Security-Token": {tempToken}}
		}, tamper: func(*tampered) {}, wantMsg: "The security token included in the request is invalid."},
		{name: "token changed", key: tempKey, want: sigv4.BadToken, tamper: func(tp *tampered) { tp.r.Header.Set("X-Amz-Security-Token", tempToken+"x") }},
		{name: "token missing", key: tempKey, want: sigv4.BadToken, tamper: func(tp *tampered) { tp.r.Header.Del("X-Amz-Security-Token") }},

		{name: "no authentication", want: sigv4.Missing, tamper: func(tp *tampered) { tp.r.Header.Del("Authorization") },
			wantMsg: "Missing Authentication Token"},
		{name: "missing SignedHeaders", want: sigv4.Incomplete, tamper: func(tp *tampered) {
			tp.setAuth("SignedHeaders=content-length;content-type;host;x-amz-date, ", "")
		}},
		{name: "missing Signature", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.setAuth(", Signature="+tp.signature(), "") }},
		{name: "missing Credential", want: sigv4.Incomplete, tamper: func(tp *tampered) {
			tp.setAuth("Credential="+testKey+"/20260102/us-east-1/account/aws4_request, ", "")
		}},
		{name: "missing X-Amz-Date", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.r.Header.Del("X-Amz-Date") }},
		{name: "everything missing", want: sigv4.Incomplete, tamper: func(tp *tampered) {
			tp.r.Header.Set("Authorization", "AWS4-HMAC-SHA256 ")
			tp.r.Header.Del("X-Amz-Date")
		}, wantMsg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
			"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
			"Authorization=AWS4-HMAC-SHA256"},
		{name: "garbage Authorization", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.r.Header.Set("Authorization", "garbage") },
			wantMsg: "Unsupported AWS 'algorithm': 'garbage'"},
		{name: "pair without equal sign", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.setAuth("SignedHeaders=", "SignedHeaders") }},
		{name: "duplicate parameter", want: sigv4.Incomplete, tamper: func(tp *tampered) {
			tp.r.Header.Set("Authorization", tp.r.Header.Get("Authorization")+", Signature="+tp.signature())
		}},
		{name: "SigV2 style", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.r.Header.Set("Authorization", "AWS AKIDEXAMPLE:c2lnbmF0dXJl") }},
		{name: "Authorization twice", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.r.Header.Add("Authorization", tp.r.Header.Get("Authorization")) }},
		{name: "both header and query auth", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256" }},
		{name: "host not signed", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.setAuth(";host;", ";") },
			wantMsg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "X-Amz-Date not signed", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.setAuth(";x-amz-date", "") },
			wantMsg: "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "X-Amz-Security-Token added unsigned", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.r.Header.Set("X-Amz-Security-Token", tempToken) },
			wantMsg: "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "X-Amz-Security-Token dropped from SignedHeaders", key: tempKey, want: sigv4.Incomplete, tamper: func(tp *tampered) {
			tp.setAuth(";x-amz-security-token", "")
		}, wantMsg: "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "X-Amz-Content-Sha256 added unsigned", want: sigv4.Incomplete, tamper: func(tp *tampered) {
			tp.r.Header.Set("X-Amz-Content-Sha256", hexSHA256([]byte(alternateContactBody)))
		}, wantMsg: "'X-Amz-Content-Sha256' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "UNSIGNED-PAYLOAD added unsigned", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD") },
			wantMsg: "'X-Amz-Content-Sha256' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "X-Amz-Target added unsigned", want: sigv4.Incomplete, tamper: func(tp *tampered) {
			tp.r.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.CreateOrganization")
		}, wantMsg: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "X-Amz-Target dropped from SignedHeaders", want: sigv4.Incomplete, sign: func(c *signedCase) {
			c.header = http.Header{"Content-Type": {"application/json"}, "X-Amz-Target": {"AWSOrganizationsV20161128.DescribeOrganization"}}
		}, tamper: func(tp *tampered) {
			tp.setAuth(";x-amz-target", "")
			tp.r.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.CreateOrganization")
		}, wantMsg: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "X-Amz-Target empty and unsigned", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.r.Header["X-Amz-Target"] = []string{""} }},
		{name: "credential with four parts", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.setAuth("/account/aws4_request", "/aws4_request") }},
		{name: "credential with six parts", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.setAuth("/aws4_request", "/aws4_request/x") }},
		{name: "empty region", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.setAuth("/us-east-1/", "//") }},
		{name: "bad terminator", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.setAuth("aws4_request", "aws5_request") },
			wantMsg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "},
		{name: "X-Amz-Date not ISO 8601 basic", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.r.Header.Set("X-Amz-Date", "2026-01-02T03:04:05Z") }},
		{name: "X-Amz-Date out of range", want: sigv4.Incomplete, tamper: func(tp *tampered) { tp.r.Header.Set("X-Amz-Date", "20261302T030405Z") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := signedCases()[0]
			if tt.key != "" {
				c.key = tt.key
			}
			if tt.sign != nil {
				tt.sign(&c)
			}
			r, body := overTheWire(t, c.request(t))
			tp := &tampered{r: r, body: body, creds: testCreds()}
			tp.v = &sigv4.Verifier{Creds: tp.creds, Now: func() time.Time { return signTime }}
			sig := tp.signature()
			tt.tamper(tp)

			_, err := tp.v.Verify(context.Background(), tp.r, tp.body)
			if got := kindOf(err); got != tt.want {
				t.Fatalf("got Kind %v (err %v), want %v", got, err, tt.want)
			}
			if err == nil {
				return
			}
			msg := err.(*sigv4.Error).Message
			if tt.wantMsg != "" && msg != tt.wantMsg {
				t.Errorf("got message %q, want %q", msg, tt.wantMsg)
			}
			if strings.Contains(msg, sig[:16]) || strings.Contains(msg, testSecret) {
				t.Errorf("message %q leaks the signature or secret", msg)
			}
		})
	}
}

func TestVerifyPresignedRejectsTampering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		url     string
		key     string
		tamper  func(r *http.Request, v *sigv4.Verifier)
		want    sigv4.Kind
		wantMsg string
	}{
		{name: "untouched", tamper: func(*http.Request, *sigv4.Verifier) {}},
		{name: "query param changed", want: sigv4.Mismatch, tamper: func(r *http.Request, _ *sigv4.Verifier) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "GetCallerIdentity", "GetSessionToken", 1)
		}},
		{name: "query param added", want: sigv4.Mismatch, tamper: func(r *http.Request, _ *sigv4.Verifier) { r.URL.RawQuery += "&x=1" }},
		{name: "signature changed", want: sigv4.Mismatch, tamper: func(r *http.Request, _ *sigv4.Verifier) {
			q := r.URL.RawQuery
			i := strings.Index(q, "X-Amz-Signature=") + len("X-Amz-Signature=")
			r.URL.RawQuery = q[:i] + flipHex(q[i:i+64]) + q[i+64:]
		}},
		{name: "signature missing", want: sigv4.Incomplete, tamper: func(r *http.Request, _ *sigv4.Verifier) {
			q := r.URL.Query()
			q.Del("X-Amz-Signature")
			r.URL.RawQuery = q.Encode()
		}, wantMsg: "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters."},
		{name: "credential duplicated", want: sigv4.Incomplete, tamper: func(r *http.Request, _ *sigv4.Verifier) {
			r.URL.RawQuery += "&X-Amz-Credential=" + r.URL.Query().Get("X-Amz-Credential")
		}},
		{name: "unsupported algorithm", want: sigv4.Incomplete, tamper: func(r *http.Request, _ *sigv4.Verifier) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1)
		}},
		{name: "expired without X-Amz-Expires", want: sigv4.Expired, tamper: func(_ *http.Request, v *sigv4.Verifier) {
			v.Now = func() time.Time { return signTime.Add(16 * time.Minute) }
		}},
		{name: "not yet valid", want: sigv4.Expired, tamper: func(_ *http.Request, v *sigv4.Verifier) {
			v.Now = func() time.Time { return signTime.Add(-16 * time.Minute) }
		}},
		{name: "within X-Amz-Expires", url: testBaseURL + "/?X-Amz-Expires=60", tamper: func(_ *http.Request, v *sigv4.Verifier) {
			v.Now = func() time.Time { return signTime.Add(60 * time.Second) }
		}},
		{name: "past X-Amz-Expires", url: testBaseURL + "/?X-Amz-Expires=60", want: sigv4.Expired, tamper: func(_ *http.Request, v *sigv4.Verifier) {
			v.Now = func() time.Time { return signTime.Add(61 * time.Second) }
		}, wantMsg: "Request has expired"},
		{name: "X-Amz-Expires of a week", url: testBaseURL + "/?X-Amz-Expires=604800", tamper: func(_ *http.Request, v *sigv4.Verifier) {
			v.Now = func() time.Time { return signTime.Add(604800 * time.Second) }
		}},
		{name: "X-Amz-Expires of one second", url: testBaseURL + "/?X-Amz-Expires=1", tamper: func(*http.Request, *sigv4.Verifier) {}},
		{name: "X-Amz-Expires too long", url: testBaseURL + "/?X-Amz-Expires=604801", want: sigv4.Incomplete, tamper: func(*http.Request, *sigv4.Verifier) {},
			wantMsg: "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{name: "X-Amz-Expires beyond int64", url: testBaseURL + "/?X-Amz-Expires=99999999999999999999", want: sigv4.Incomplete, tamper: func(*http.Request, *sigv4.Verifier) {},
			wantMsg: "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{name: "X-Amz-Expires zero", url: testBaseURL + "/?X-Amz-Expires=0", want: sigv4.Incomplete, tamper: func(*http.Request, *sigv4.Verifier) {},
			wantMsg: "X-Amz-Expires must be greater than 0 (in seconds)"},
		{name: "X-Amz-Expires zeros", url: testBaseURL + "/?X-Amz-Expires=000", want: sigv4.Incomplete, tamper: func(*http.Request, *sigv4.Verifier) {}},
		{name: "X-Amz-Expires negative", url: testBaseURL + "/?X-Amz-Expires=-60", want: sigv4.Incomplete, tamper: func(*http.Request, *sigv4.Verifier) {},
			wantMsg: "X-Amz-Expires should be a number"},
		{name: "X-Amz-Expires with plus sign", url: testBaseURL + "/?X-Amz-Expires=%2B60", want: sigv4.Incomplete, tamper: func(*http.Request, *sigv4.Verifier) {}},
		{name: "X-Amz-Expires empty", url: testBaseURL + "/?X-Amz-Expires=", want: sigv4.Incomplete, tamper: func(*http.Request, *sigv4.Verifier) {}},
		{name: "X-Amz-Expires not a number", url: testBaseURL + "/?X-Amz-Expires=soon", want: sigv4.Incomplete, tamper: func(*http.Request, *sigv4.Verifier) {},
			wantMsg: "X-Amz-Expires should be a number"},
		{name: "X-Amz-Target header unsigned", want: sigv4.Incomplete, tamper: func(r *http.Request, _ *sigv4.Verifier) {
			r.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.CreateOrganization")
		}, wantMsg: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "host not signed", want: sigv4.Incomplete, tamper: func(r *http.Request, _ *sigv4.Verifier) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date", 1)
		}, wantMsg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "token changed", key: tempKey, want: sigv4.BadToken, tamper: func(r *http.Request, _ *sigv4.Verifier) {
			q := r.URL.Query()
			q.Set("X-Amz-Security-Token", "forged")
			r.URL.RawQuery = q.Encode()
		}},
		{name: "token removed", key: tempKey, want: sigv4.BadToken, tamper: func(r *http.Request, _ *sigv4.Verifier) {
			q := r.URL.Query()
			q.Del("X-Amz-Security-Token")
			r.URL.RawQuery = q.Encode()
		}},
		{name: "unknown key", want: sigv4.UnknownKey, tamper: func(r *http.Request, _ *sigv4.Verifier) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, testKey, "AKIDUNKNOWN", 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := tt.url
			if url == "" {
				url = testBaseURL + "/?Action=GetCallerIdentity&Version=2011-06-15"
			}
			key := tt.key
			if key == "" {
				key = testKey
			}
			req := mustNewRequest(t, "GET", url, nil, nil)
			r, body := overTheWire(t, mustPresign(t, req, "UNSIGNED-PAYLOAD", awsCreds(key), "sts", "us-east-1"))
			v := newVerifier(signTime)
			tt.tamper(r, v)
			_, err := v.Verify(context.Background(), r, body)
			if got := kindOf(err); got != tt.want {
				t.Fatalf("got Kind %v (err %v), want %v", got, err, tt.want)
			}
			if tt.wantMsg != "" && err.(*sigv4.Error).Message != tt.wantMsg {
				t.Errorf("got message %q, want %q", err.(*sigv4.Error).Message, tt.wantMsg)
			}
		})
	}
}

func TestIncompleteMessageRedactsSignature(t *testing.T) {
	t.Parallel()
	const sig = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	r, _ := http.NewRequest("POST", testBaseURL+"/", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testKey+"/20260102/us-east-1/sts/aws4_request, Signature="+sig)
	_, err := newVerifier(signTime).Verify(context.Background(), r, nil)
	if kindOf(err) != sigv4.Incomplete {
		t.Fatalf("got %v, want Incomplete", err)
	}
	want := "Authorization header requires 'SignedHeaders' parameter. " +
		"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
		"Authorization=AWS4-HMAC-SHA256 Credential=" + testKey + "/20260102/us-east-1/sts/aws4_request, Signature=<redacted>"
	if got := err.(*sigv4.Error).Message; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
