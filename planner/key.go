package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// KeyOf is a step's cache key: "sha256:" + the SHA-256 of the canonical
// JSON of its inputs (encoding/json sorts map keys; fields are fixed).
//
// The recipe (docs/DESIGN.md "Cache keys"): the parent's key; the instruction
// after ARG/ENV expansion; the build args the step uses (for RUN every
// declared arg with a value, as RUN sees them all as env; predefined proxy
// args never count); for context COPY/ADD the path, mode and content digest
// of exactly the files read; for COPY --from the source's final key; for a
// base image its manifest digest; for RUN a non-default network.
//
// RecipeVersion is hashed in too: raising it when the executor changes what
// a step writes retires every cached result made the old way.
func KeyOf(in *KeyInputs) string {
	b, err := json.Marshal(in)
	if err != nil {
		panic(fmt.Sprintf("marshal key inputs: %v", err)) // plain strings and maps: cannot fail
	}
	h := sha256.New()
	fmt.Fprintf(h, "stencil-recipe-%d\n", RecipeVersion)
	h.Write(b)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// layerKey is a COPY --link step's key without its parent: its layer does
// not depend on what it lands on, so any parent may reuse it (BuildKit's
// cache key for a linked copy excludes the parent, too).
func layerKey(in KeyInputs) string {
	in.Parent = ""
	return KeyOf(&in)
}

// RecipeVersion numbers the way steps turn into layers (2: COPY/ADD/WORKDIR
// keep the image's existing directories and follow its symlinks).
const RecipeVersion = 2

// fileKeys maps each file's context path to its digest and mode; mtime and
// ownership never reach the key.
func fileKeys(files []CopyFile) map[string]string {
	if len(files) == 0 {
		return nil
	}
	m := make(map[string]string, len(files))
	for _, f := range files {
		m[f.Src] = fileKey(f.Digest, f.Mode)
	}
	return m
}

// fileKey is a file's entry in KeyInputs.Files: "digest mode".
func fileKey(digest string, mode uint32) string {
	return fmt.Sprintf("%s %#o", digest, mode)
}
