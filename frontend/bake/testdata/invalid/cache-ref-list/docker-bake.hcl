target "app" {
  # in a file (unlike --set) a ref-only entry is one reference
  cache-from = ["example/app:a,example/app:b"]
}
