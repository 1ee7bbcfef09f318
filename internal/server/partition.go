package server

import (
	"reflect"

	"github.com/accountplane/accountplane/internal/arn"
)

// Partitions. Every account belongs to one partition (the commercial
// "aws" unless it is a GovCloud account or was seeded in another), and
// its keys sign only for the Regions of that partition: signed for a
// Region of another partition (us-gov-*, cn-*, us-iso*-*, ...), a key is
// unknown, and the request is refused as AWS refuses an unknown key
// (UnrecognizedClientException, or InvalidClientTokenId in the query
// protocol). A request that passes is answered in its partition: the
// caller's principal is named there (Credentials does that), and so is
// every ARN of the answer and of the resources it is authorized on
// (presentIn). The domains keep commercial ARNs; the partition is the
// edge's to apply.

// acceptsRegion returns the Regions a key of partition p may sign for.
func acceptsRegion(p string) func(region string) bool {
	p = arn.Canonical(p)
	return func(region string) bool { return arn.PartitionOf(region) == p }
}

// resourcesIn puts the resources an operation declared in partition p.
func resourcesIn(res []string, p string) []string {
	if arn.Canonical(p) == arn.Partition {
		return res
	}
	out := make([]string, len(res))
	for i, r := range res {
		out[i] = arn.InPartition(r, p)
	}
	return out
}

// presentIn returns the output value v with every string that is a
// commercial ARN put in partition p: a deep copy, so that nothing v
// shares with the domain changes. Outside the commercial partition only.
func presentIn(v any, p string) any {
	if v == nil || arn.Canonical(p) == arn.Partition {
		return v
	}
	return rewriteARNs(reflect.ValueOf(v), p).Interface()
}

func rewriteARNs(v reflect.Value, p string) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if a, err := arn.Parse(s); err != nil || a.Partition != arn.Partition {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.SetString(arn.InPartition(s, p))
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(rewriteARNs(v.Elem(), p))
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(rewriteARNs(v.Elem(), p))
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			if f := out.Field(i); f.CanSet() {
				f.Set(rewriteARNs(v.Field(i), p))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(rewriteARNs(v.Index(i), p))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			out.Index(i).Set(rewriteARNs(v.Index(i), p))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), rewriteARNs(it.Value(), p))
		}
		return out
	}
	return v
}
