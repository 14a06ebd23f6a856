variable "NAME" { default = "My App" }
variable "VERSIONS" { default = "1.0,1.1,2.0" }
function "tag" {
  params = [repo, version]
  result = "${lower(replace(repo, " ", "-"))}:${version}"
}
function "tags" {
  params         = [repo]
  variadic_param = versions
  result         = [for v in versions : tag(repo, v)]
}
target "app" {
  tags = tags(NAME, split(",", VERSIONS)...)
  args = {
    UPPER     = upper(NAME)
    JOINED    = join("-", ["a", "b", "c"])
    FORMATTED = format("%s-%03d", "build", 7)
    FIRST     = coalesce("", "fallback")
    REGEX     = regex_replace("v1.2.3", "^v", "")
    LOOKUP    = lookup({ a = "x" }, "b", "default")
    LENGTH    = length(split(",", VERSIONS))
    DATE      = formatdate("YYYY-MM-DD", "2024-03-01T10:00:00Z")
    SAN       = sanitize("feature/foo.bar")
    BASE      = basename("/a/b/c.txt")
    COND      = NAME == "My App" ? "same" : "different"
    SUM       = sha256("stencil")
    TRY       = try(NOPE_NOT_A_KEY, "tried")
  }
}
