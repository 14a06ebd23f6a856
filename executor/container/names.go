package container

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"regexp"
)

// validName is docker's rule for container names.
var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

func checkName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("invalid container name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name)
	}
	return nil
}

// newID is a random 64-digit hex container ID.
func newID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

var (
	adjectives = []string{"amber", "brave", "calm", "deft", "eager", "fond", "gentle", "happy", "keen", "lucid",
		"merry", "nimble", "quiet", "rapid", "sharp", "tidy", "vivid", "warm", "witty", "zesty"}
	nouns = []string{"ant", "badger", "crane", "dingo", "egret", "ferret", "gecko", "heron", "ibis", "jackal",
		"koala", "lemur", "marten", "newt", "otter", "panda", "quail", "raven", "stoat", "tapir"}
)

// generatedName is a docker-style adjective_noun name; taken reports a
// clash, and a clash adds a number, as docker does on retry.
func generatedName(taken func(string) bool) string {
	name := pick(adjectives) + "_" + pick(nouns)
	for i := 2; taken(name); i++ {
		name = fmt.Sprintf("%s_%s%d", pick(adjectives), pick(nouns), i)
	}
	return name
}

func pick(words []string) string {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
	if err != nil {
		return words[0]
	}
	return words[n.Int64()]
}
