package crashtest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/account"
)

// regionDetailType is the detail-type of AWS's Region events.
const regionDetailType = "Region Opt-In Status Change"

// regionEvent is one Region Opt-In Status Change event.
type regionEvent struct {
	ID      string
	Account string // detail.accountId
	Region  string
	Status  string
}

// eventLog returns the Region events of the whole event log, by Region in
// log order. It reads GET /_accountplane/events from the beginning until it
// sees the "AWS API Call via CloudTrail" event of a sentinel write
// (PutAccountName) made just before, so it has read every event logged
// before that write.
func eventLog(ctx context.Context, srv *server) (map[string][]regionEvent, error) {
	c := account.NewFromConfig(srv.config(rootKey, rootSecret))
	name := fmt.Sprintf("sentinel-%d", time.Now().UnixNano())
	out, err := c.PutAccountName(ctx, &account.PutAccountNameInput{AccountName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("sentinel PutAccountName: %w", err)
	}
	sentinel, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)

	pattern := `{"$or":[{"detail-type":["` + regionDetailType + `"]},{"detail":{"eventName":["PutAccountName"]}}]}`
	q := url.Values{"since": {"1970-01-01T00:00:00Z"}, "pattern": {pattern}}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+"/_accountplane/events?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	tr := newTransport() // the stream's connection is closed, never reused
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /_accountplane/events: %s", resp.Status)
	}
	log := map[string][]regionEvent{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var ev struct {
			ID         string `json:"id"`
			DetailType string `json:"detail-type"`
			Detail     struct {
				AccountID  string `json:"accountId"`
				RegionName string `json:"regionName"`
				Status     string `json:"status"`
				RequestID  string `json:"requestID"`
			} `json:"detail"`
		}
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			return nil, fmt.Errorf("event %q: %w", data, err)
		}
		if ev.DetailType == regionDetailType {
			d := ev.Detail
			log[d.RegionName] = append(log[d.RegionName], regionEvent{ID: ev.ID, Account: d.AccountID, Region: d.RegionName, Status: d.Status})
			continue
		}
		if ev.Detail.RequestID == sentinel {
			return log, nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read the event stream: %w", err)
	}
	return nil, fmt.Errorf("the event stream ended before the sentinel event")
}

// settled reports why the events of a Region are not yet complete: every
// transition started (ENABLING, DISABLING) must be followed by its end.
func settled(evs []regionEvent) error {
	if n := len(evs); n > 0 {
		if last := evs[n-1].Status; last == "ENABLING" || last == "DISABLING" {
			return fmt.Errorf("%s: last event %s", evs[n-1].Region, last)
		}
	}
	return nil
}
