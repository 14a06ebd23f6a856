package bake

import "fmt"

// addCompose merges compose service definitions into the config.
func (c *Config) addCompose(srcs []source, env func(string) (string, bool)) error {
	for _, s := range srcs {
		if isCompose(s.name) {
			return fmt.Errorf("read %s: compose files are not supported yet", s.name)
		}
	}
	return nil
}
