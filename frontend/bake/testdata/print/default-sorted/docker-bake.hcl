# buildx sorts the default group's targets whenever it prints it.
group "default" { targets = ["web", "api"] }
target "web" {}
target "api" {}
