package main

import (
	"encoding/base64"
	"runtime"
)

func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func runtimeNumCPU() int { return runtime.NumCPU() }
