package main

import (
	"fmt"

	"github.com/hashicorp/hcl/v2/hclsimple"
	"github.com/zclconf/go-cty/cty"
)

// Config is the service's HCL configuration.
type Config struct {
	Name  string `hcl:"name"`
	Items []Item `hcl:"item,block"`
}

// Item is one stocked item.
type Item struct {
	SKU   string `hcl:"sku,label"`
	Title string `hcl:"title"`
	Count int    `hcl:"count,optional"`
}

func loadConfig(path string) (*Config, error) {
	var cfg Config
	if err := hclsimple.DecodeFile(path, nil, &cfg); err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return &cfg, nil
}

// asValue renders the configuration as a cty value, as the API returns it.
func asValue(c *Config) cty.Value {
	items := make([]cty.Value, 0, len(c.Items))
	for _, it := range c.Items {
		items = append(items, cty.ObjectVal(map[string]cty.Value{
			"sku": cty.StringVal(it.SKU), "title": cty.StringVal(it.Title), "count": cty.NumberIntVal(int64(it.Count)),
		}))
	}
	if len(items) == 0 {
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(c.Name)})
	}
	return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(c.Name), "items": cty.TupleVal(items)})
}
