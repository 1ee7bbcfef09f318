package console

import (
	"encoding/json"
	"net/http"
	"time"
)

// lookupKeys are LookupEvents' attribute keys.
var lookupKeys = []string{"EventName", "EventSource", "Username", "ResourceName", "ResourceType", "EventId", "AccessKeyId", "ReadOnly"}

type activityData struct {
	Key, Value string
	Start, End string // datetime-local values
	Keys       []string
	Events     []trailEvent
	Next       string
	Error      *flash
}

type trailEvent struct {
	EventID         string      `json:"EventId"`
	EventName       string      `json:"EventName"`
	ReadOnly        string      `json:"ReadOnly"`
	AccessKeyID     string      `json:"AccessKeyId"`
	EventTime       json.Number `json:"EventTime"`
	EventSource     string      `json:"EventSource"`
	Username        string      `json:"Username"`
	CloudTrailEvent string      `json:"CloudTrailEvent"`
	Resources       []struct {
		ResourceType string `json:"ResourceType"`
		ResourceName string `json:"ResourceName"`
	} `json:"Resources"`
}

// ErrorCode is the record's errorCode, if the call failed.
func (e trailEvent) ErrorCode() string {
	var rec struct {
		ErrorCode string `json:"errorCode"`
	}
	_ = json.Unmarshal([]byte(e.CloudTrailEvent), &rec)
	return rec.ErrorCode
}

const localTime = "2006-01-02T15:04"

// activityPage is the CloudTrail event history with LookupEvents' filters
// (one lookup attribute, a time range) and each record's JSON.
func (c *Console) activityPage(w http.ResponseWriter, r *http.Request, s *session) error {
	q := r.URL.Query()
	d := &activityData{Key: q.Get("key"), Value: q.Get("value"), Start: q.Get("start"), End: q.Get("end"), Keys: lookupKeys}
	in := map[string]any{"MaxResults": 50}
	if d.Key != "" && d.Value != "" {
		in["LookupAttributes"] = []map[string]string{{"AttributeKey": d.Key, "AttributeValue": d.Value}}
	}
	if t, err := time.Parse(localTime, d.Start); err == nil {
		in["StartTime"] = t.Unix()
	}
	if t, err := time.Parse(localTime, d.End); err == nil {
		in["EndTime"] = t.Unix()
	}
	if tok := q.Get("next"); tok != "" {
		in["NextToken"] = tok
	}
	var out struct {
		Events    []trailEvent `json:"Events"`
		NextToken string       `json:"NextToken"`
	}
	var err error
	if d.Error, err = softFail(c.call(r, s, "cloudtrail", "LookupEvents", in, &out)); err != nil {
		return err
	}
	d.Events, d.Next = out.Events, out.NextToken
	return c.render(w, r, http.StatusOK, "activity", c.newView(s, "Event history", "activity", d))
}
