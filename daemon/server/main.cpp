#include "server/server.h"

int main(int argc, char** argv) { return nxt::server::Main(argc, argv); }
