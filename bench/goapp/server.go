package main

import (
	"net/http"

	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// serve answers GET /items with the configuration as JSON.
func serve(addr string, cfg *Config) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, _ *http.Request) {
		v := asValue(cfg)
		b, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
	return http.ListenAndServe(addr, mux)
}
