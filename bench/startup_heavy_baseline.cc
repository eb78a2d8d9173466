// An empty program linked (--no-as-needed) against the libraries the
// `clearmatch` executable loaded before its heavy commands became modules:
// startup_bench's baseline for the dynamic loader's cost.
int main() { return 0; }
