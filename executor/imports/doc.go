// Package imports turns a root filesystem tarball into a one-layer image,
// with `docker import` semantics, and reads the images of a `docker save`
// or OCI layout archive (`stencil load`).
//
// It owns reading the tarball (plain, gzip, zstd or bzip2, detected from
// its first bytes), normalising it into an OCI layer (names made relative
// and clean, `..` rejected) and building the image's config. It does not
// store or tag the image (the caller does, through the cache) and does not
// apply Dockerfile-style --change edits.
package imports
