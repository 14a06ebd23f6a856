target "app" {
  cache-to = ["mode=max,ref=example/app:cache"]
}
