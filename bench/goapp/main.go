// Command inventory is the benchmark's Go web app: a small HTTP service
// configured from an HCL file, with a cobra command line.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	var cfgPath, addr string
	cmd := &cobra.Command{
		Use:   "inventory",
		Short: "Serve the inventory API",
		RunE: func(*cobra.Command, []string) error {
			cfg, err := loadConfig(cfgPath)
			if err != nil {
				return err
			}
			return serve(addr, cfg)
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "inventory.hcl", "configuration file")
	cmd.Flags().StringVar(&addr, "addr", ":8080", "listen address")
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
