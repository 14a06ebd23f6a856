package bake

import ()

// setPush is buildx's push override: false drops registry outputs (the
// last output takes the dropped one's place) and turns push off on image
// outputs; true turns it on for image outputs and adds an image output
// when every existing one is a docker output.
func setPush(outputs []string, push bool) []string {
	outputs = append([]string{}, outputs...)
	if !push {
		return pushOff(outputs)
	}
	return pushOn(outputs)
}

// pushOff is setPush(outputs, false), editing outputs in place.
func pushOff(outputs []string) []string {
	for i := 0; i < len(outputs); {
		switch outputType(outputs[i]) {
		case "registry":
			last := len(outputs) - 1
			outputs[i], outputs = outputs[last], outputs[:last]
			continue
		case "image":
			outputs[i] = setCSV(outputs[i], "push", "false")
		}
		i++
	}
	return outputs
}

// pushOn is setPush(outputs, true), editing outputs in place.
func pushOn(outputs []string) []string {
	add := true
	for i, o := range outputs {
		switch outputType(o) {
		case "image":
			outputs[i] = setCSV(o, "push", "true")
			add = false
		case "docker":
		default:
			add = false
		}
	}
	if add {
		outputs = append(outputs, "type=image,push=true")
	}
	return outputs
}

// setLoad is buildx's load override: true adds a docker output unless one
// without a dest exists or an output other than image, registry or oci
// does; false changes nothing.
func setLoad(outputs []string, load bool) []string {
	if !load || !needsDockerOutput(outputs) {
		return outputs
	}
	return append(append([]string{}, outputs...), "type=docker")
}

// needsDockerOutput reports whether --set *.load=true must add a docker
// output: no docker output without a dest exists and every output is an
// image, registry, oci or docker one.
func needsDockerOutput(outputs []string) bool {
	for _, o := range outputs {
		switch outputType(o) {
		case "docker":
			if csvAttrs(o)["dest"] == "" {
				return false
			}
		case "image", "registry", "oci":
		default:
			return false
		}
	}
	return true
}

// outputType is an output entry's type as buildx reads it.
func outputType(o string) string {
	return outputObject(o).(map[string]string)["type"]
}
