lab_demo() { lab_die "demo: not yet"; }
