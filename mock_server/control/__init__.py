"""The mock's control plane (control_plane.yaml, at /__mock__): the request journal, faults and
`Prefer`, session state, rules and clock, and the dashboard."""
