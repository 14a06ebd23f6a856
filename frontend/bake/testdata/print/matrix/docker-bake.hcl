target "app" {
  name = "app-${tgt}-${replace(item, ".", "-")}"
  matrix = {
    tgt  = ["release", "debug"]
    item = ["1.0", "2.0"]
  }
  target = tgt
  args   = { VERSION = item }
  tags   = ["example/app:${item}-${tgt}"]
}
