#include "ctl/ctl.h"

int main(int argc, char** argv) { return nxt::ctl::Main(argc, argv); }
