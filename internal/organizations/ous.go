package organizations

import (
	"context"
	"errors"
	"strings"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/kernel"
)

// CreateOU creates an organizational unit under parent (a root or an OU).
// Returns ParentNotFound, DuplicateOrganizationalUnit and ConstraintViolation
// OU_DEPTH_LIMIT_EXCEEDED.
func (s *Service) CreateOU(ctx context.Context, caller identity.Principal, parent, name string, tags []Tag) (*OU, error) {
	suffix, err := randomString(s.opts.Rand, 8)
	if err != nil {
		return nil, err
	}
	var ou *OU
	err = s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		if err := s.checkParent(ctx, tx, sc.org, parent, errParentNotFound()); err != nil {
			return err
		}
		if err := s.checkTags(tags); err != nil {
			return err
		}
		depth, err := s.depth(ctx, tx, sc.org, parent)
		if err != nil {
			return err
		}
		if depth+1 > s.opts.MaxOUDepth {
			return constraint(ReasonOUDepthLimitExceeded, "You attempted to create an OU tree that is too many levels deep.")
		}
		if err := s.uniqueOUName(ctx, tx, sc.org.ID, parent, name, ""); err != nil {
			return err
		}
		rootPart := strings.TrimPrefix(string(sc.org.RootID), "r-")
		ou = &OU{ID: OUID("ou-" + rootPart + "-" + suffix), Org: sc.org.ID, Parent: parent, Name: name}
		if err := tx.PutOU(ctx, ou); err != nil {
			return err
		}
		if err := s.attachDefaultPolicies(ctx, tx, sc.org, string(ou.ID)); err != nil {
			return err
		}
		if len(tags) > 0 {
			return tx.PutTags(ctx, sc.org.ID, string(ou.ID), tags)
		}
		return nil
	})
	return ou, err
}

// depth is how many OUs lie between the root and parent, parent included.
func (s *Service) depth(ctx context.Context, tx Tx, org *Organization, parent string) (int, error) {
	d := 0
	for p := parent; p != string(org.RootID); d++ {
		ou, err := tx.OU(ctx, OUID(p))
		if err != nil {
			return 0, err
		}
		p = ou.Parent
	}
	return d, nil
}

func (s *Service) uniqueOUName(ctx context.Context, tx Tx, org OrgID, parent, name string, self OUID) error {
	ous, err := tx.OUs(ctx, org)
	if err != nil {
		return err
	}
	for _, o := range ous {
		if o.Parent == parent && o.Name == name && o.ID != self {
			return e(CodeDuplicateOrganizationalUnit, "An OU with the same name already exists.")
		}
	}
	return nil
}

// loadOU returns an OU of sc's organization or OrganizationalUnitNotFound.
func loadOU(ctx context.Context, tx Tx, org OrgID, id OUID) (*OU, error) {
	ou, err := tx.OU(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && ou.Org != org) {
		return nil, errOUNotFound()
	}
	return ou, err
}

// OUView is an OU with its organization, for ARNs and paths.
type OUView struct {
	OU   OU
	Org  *Organization
	Path string
}

// DescribeOU returns an OU.
func (s *Service) DescribeOU(ctx context.Context, caller identity.Principal, id OUID) (*OUView, error) {
	var v *OUView
	err := kernel.ViewRepeatable[Tx](ctx, s.store, func(tx Tx) error { // v is set afresh
		v = nil
		sc, err := s.readScope(ctx, tx, caller, ask("DescribeOrganizationalUnit", string(id)))
		if err != nil {
			return err
		}
		ou, err := loadOU(ctx, tx, sc.org.ID, id)
		if err != nil {
			return err
		}
		v, err = s.ouView(ctx, tx, sc.org, ou)
		return err
	})
	return v, err
}

func (s *Service) ouView(ctx context.Context, tx Tx, org *Organization, ou *OU) (*OUView, error) {
	path, err := s.path(ctx, tx, org, string(ou.ID))
	if err != nil {
		return nil, err
	}
	return &OUView{OU: *ou, Org: org, Path: path}, nil
}

// RenameOU renames an OU (UpdateOrganizationalUnit).
func (s *Service) RenameOU(ctx context.Context, caller identity.Principal, id OUID, name *string) (*OUView, error) {
	var v *OUView
	err := s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		ou, err := loadOU(ctx, tx, sc.org.ID, id)
		if err != nil {
			return err
		}
		if name != nil {
			if err := s.uniqueOUName(ctx, tx, sc.org.ID, ou.Parent, *name, ou.ID); err != nil {
				return err
			}
			ou.Name = *name
			if err := tx.PutOU(ctx, ou); err != nil {
				return err
			}
		}
		v, err = s.ouView(ctx, tx, sc.org, ou)
		return err
	})
	return v, err
}

// DeleteOU deletes an empty OU. Returns OrganizationalUnitNotEmptyException
// if accounts or OUs remain in it.
func (s *Service) DeleteOU(ctx context.Context, caller identity.Principal, id OUID) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := s.managementScope(ctx, tx, caller)
		if err != nil {
			return err
		}
		if _, err := loadOU(ctx, tx, sc.org.ID, id); err != nil {
			return err
		}
		children, err := s.children(ctx, tx, sc.org, string(id))
		if err != nil {
			return err
		}
		if len(children) > 0 {
			return e(CodeOrganizationalUnitNotEmpty, "You must first remove all accounts and child OUs from the OU that you want to delete.")
		}
		if err := s.detachAll(ctx, tx, sc.org.ID, string(id)); err != nil {
			return err
		}
		if err := tx.PutTags(ctx, sc.org.ID, string(id), nil); err != nil {
			return err
		}
		return tx.DeleteOU(ctx, id)
	})
}

// Child is an account or OU directly under a parent.
type Child struct {
	ID   string
	Type string // ACCOUNT or ORGANIZATIONAL_UNIT
}

// children lists OUs first, then visible accounts, directly under parent.
func (s *Service) children(ctx context.Context, tx Tx, org *Organization, parent string) ([]Child, error) {
	var out []Child
	ous, err := tx.OUs(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	for _, ou := range ous {
		if ou.Parent == parent {
			out = append(out, Child{ID: string(ou.ID), Type: "ORGANIZATIONAL_UNIT"})
		}
	}
	members, err := s.visibleMembers(ctx, tx, org.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if m.Parent == parent {
			out = append(out, Child{ID: string(m.Account), Type: "ACCOUNT"})
		}
	}
	return out, nil
}

// ListOUs lists the OUs directly under parent.
func (s *Service) ListOUs(ctx context.Context, caller identity.Principal, parent string) ([]OUView, error) {
	var out []OUView
	err := kernel.ViewRepeatable[Tx](ctx, s.store, func(tx Tx) error { // out is set afresh
		out = nil
		sc, err := s.readScope(ctx, tx, caller, ask("ListOrganizationalUnitsForParent", parent))
		if err != nil {
			return err
		}
		if err := s.checkParent(ctx, tx, sc.org, parent, errParentNotFound()); err != nil {
			return err
		}
		ous, err := tx.OUs(ctx, sc.org.ID)
		if err != nil {
			return err
		}
		for i := range ous {
			if ous[i].Parent != parent {
				continue
			}
			v, err := s.ouView(ctx, tx, sc.org, &ous[i])
			if err != nil {
				return err
			}
			out = append(out, *v)
		}
		return nil
	})
	return out, err
}

// ListChildren lists the children of type childType under parent.
func (s *Service) ListChildren(ctx context.Context, caller identity.Principal, parent, childType string) ([]Child, error) {
	var out []Child
	err := kernel.ViewRepeatable[Tx](ctx, s.store, func(tx Tx) error { // out is set afresh
		out = nil
		sc, err := s.readScope(ctx, tx, caller, ask("ListChildren", parent))
		if err != nil {
			return err
		}
		if err := s.checkParent(ctx, tx, sc.org, parent, errParentNotFound()); err != nil {
			return err
		}
		all, err := s.children(ctx, tx, sc.org, parent)
		if err != nil {
			return err
		}
		for _, c := range all {
			if c.Type == childType {
				out = append(out, c)
			}
		}
		return nil
	})
	return out, err
}

// Parent is the root or OU that directly contains a child.
type Parent struct {
	ID   string
	Type string // ROOT or ORGANIZATIONAL_UNIT
}

// ListParents returns the one parent of an account or OU.
func (s *Service) ListParents(ctx context.Context, caller identity.Principal, child string) (*Parent, error) {
	var p *Parent
	err := kernel.ViewRepeatable[Tx](ctx, s.store, func(tx Tx) error { // p is set afresh
		p = nil
		sc, err := s.readScope(ctx, tx, caller, ask("ListParents", child))
		if err != nil {
			return err
		}
		notFound := e(CodeChildNotFound, "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
		var parent string
		switch {
		case IsOUID(child):
			ou, err := tx.OU(ctx, OUID(child))
			if errors.Is(err, ErrNotFound) || (err == nil && ou.Org != sc.org.ID) {
				return notFound
			} else if err != nil {
				return err
			}
			parent = ou.Parent
		default:
			m, ok, err := s.visibleMember(ctx, tx, identity.AccountID(child), sc.org.ID)
			if err != nil {
				return err
			} else if !ok {
				return notFound
			}
			parent = m.Parent
		}
		p = &Parent{ID: parent, Type: "ORGANIZATIONAL_UNIT"}
		if parent == string(sc.org.RootID) {
			p.Type = "ROOT"
		}
		return nil
	})
	return p, err
}

// ListRoots returns the organization (whose root it describes).
func (s *Service) ListRoots(ctx context.Context, caller identity.Principal) (*Organization, error) {
	var o *Organization
	err := kernel.ViewRepeatable[Tx](ctx, s.store, func(tx Tx) error { // o is set afresh
		o = nil
		sc, err := s.readScope(ctx, tx, caller, ask("ListRoots"))
		if err != nil {
			return err
		}
		o = sc.org
		return nil
	})
	return o, err
}
