#include "client/client.h"

int main(int argc, char** argv) { return nxt::client::Main(argc, argv); }
