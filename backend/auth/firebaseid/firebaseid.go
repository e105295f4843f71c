// Package firebaseid verifies Firebase ID tokens with the Firebase Admin
// SDK, for customers who sign in to the app through Firebase. With
// FIREBASE_AUTH_EMULATOR_HOST set, the SDK runs in emulator mode (tokens
// are not signature-checked), which is how tests exercise it offline.
package firebaseid

import (
	"context"
	"fmt"

	firebase "firebase.google.com/go/v4"
	fbauth "firebase.google.com/go/v4/auth"
	"google.golang.org/api/option"

	"github.com/vista-optical/vista/backend/core"
	"github.com/vista-optical/vista/backend/customer"
)

// Verifier implements customer.IDTokenVerifier.
type Verifier struct{ client *fbauth.Client }

// New returns a verifier for the Firebase project projectID. credentialsFile
// may be empty: ID-token verification only needs Google's public keys.
func New(ctx context.Context, projectID, credentialsFile string) (*Verifier, error) {
	var opts []option.ClientOption
	if credentialsFile != "" {
		opts = append(opts, option.WithAuthCredentialsFile(option.ServiceAccount, credentialsFile))
	} else {
		opts = append(opts, option.WithoutAuthentication())
	}
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: projectID}, opts...)
	if err != nil {
		return nil, fmt.Errorf("firebase app: %w", err)
	}
	client, err := app.Auth(ctx)
	if err != nil {
		return nil, fmt.Errorf("firebase auth: %w", err)
	}
	return &Verifier{client: client}, nil
}

// VerifyIDToken implements customer.IDTokenVerifier. Sign-in is rare, so
// it also asks Firebase whether the token was revoked or the user disabled.
func (v *Verifier) VerifyIDToken(ctx context.Context, idToken string) (*customer.FirebaseIdentity, error) {
	tok, err := v.client.VerifyIDTokenAndCheckRevoked(ctx, idToken)
	if err != nil {
		if fbauth.IsIDTokenInvalid(err) || fbauth.IsIDTokenExpired(err) || fbauth.IsIDTokenRevoked(err) || fbauth.IsUserDisabled(err) || fbauth.IsUserNotFound(err) {
			return nil, &core.Error{Code: core.EUNAUTHORIZED, Message: "the Firebase ID token is not valid", Err: err}
		}
		return nil, &core.Error{Code: core.EUNAVAILABLE, Message: "Firebase could not be reached", Err: err}
	}
	id := &customer.FirebaseIdentity{UID: tok.UID}
	id.Email, _ = tok.Claims["email"].(string)
	id.EmailVerified, _ = tok.Claims["email_verified"].(bool)
	return id, nil
}
