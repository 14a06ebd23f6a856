group "all" { targets = ["a", "nested"] }
group "nested" { targets = ["b", "all"] }
target "a" {}
target "b" {}
