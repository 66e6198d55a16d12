#include "crypto/key_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "base/unique_fd.h"

namespace nxt::crypto {
namespace {

const RawKey kKey = [] {
  RawKey k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(0xa0 + i);
  return k;
}();

class KeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    dir_ = std::string(tmp ? tmp : "/tmp") + "/nxt-keyfile-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_.data()), nullptr);
    path_ = dir_ + "/identity.key";
  }
  void TearDown() override {
    for (const auto& name : Entries()) ::unlink((dir_ + "/" + name).c_str());
    ::rmdir(dir_.c_str());
  }
  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    if (DIR* d = ::opendir(dir_.c_str())) {
      while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name != "." && name != "..") names.push_back(name);
      }
      ::closedir(d);
    }
    return names;
  }
  mode_t Mode(const std::string& path) const {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  void WriteRaw(const std::string& text, mode_t mode) {
    std::ofstream(path_, std::ios::binary) << text;
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
  }

  std::string dir_;
  std::string path_;
};

TEST_F(KeyFile, WritesAPrivateKeyMode0600AndReadsItBack) {
  ASSERT_TRUE(WritePrivateKeyFile(path_, kKey, KeyType::kX25519).ok());
  EXPECT_EQ(Mode(path_), 0600u);
  auto key = ReadPrivateKeyFile(path_, KeyType::kX25519);
  ASSERT_TRUE(key.ok()) << key.error().message();
  EXPECT_EQ(*key, kKey);
  EXPECT_EQ(Entries(), std::vector<std::string>{"identity.key"});  // no temporary left behind
}

TEST_F(KeyFile, WritesOneLineOfKeyText) {
  ASSERT_TRUE(WritePrivateKeyFile(path_, kKey, KeyType::kEd25519).ok());
  std::string all(200, '\0');
  UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  ssize_t n = ::read(fd.get(), all.data(), all.size());
  ASSERT_GT(n, 0);
  all.resize(static_cast<std::size_t>(n));
  EXPECT_EQ(all, FormatKey(KeyType::kEd25519, KeyPart::kPrivate, kKey) + "\n");
}

TEST_F(KeyFile, CreatesThePrivateKeyMode0600WhateverTheUmask) {
  mode_t old = ::umask(0);
  auto status = WritePrivateKeyFile(path_, kKey, KeyType::kEd25519);
  ::umask(old);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(Mode(path_), 0600u);
}

TEST_F(KeyFile, RefusesAPrivateKeyReadableByGroupOrOthers) {
  ASSERT_TRUE(WritePrivateKeyFile(path_, kKey, KeyType::kX25519).ok());
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  auto r = ReadPrivateKeyFile(path_, KeyType::kX25519);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kPermission);
  EXPECT_EQ(r.error().message(),
            "key file " + path_ + " is readable by group or others (mode 0644); chmod 600 it");
  for (mode_t loose : {0640, 0604, 0620, 0602, 0610, 0601}) {
    ASSERT_EQ(::chmod(path_.c_str(), loose), 0);
    auto again = ReadPrivateKeyFile(path_, KeyType::kX25519);
    ASSERT_FALSE(again.ok()) << std::oct << loose;
    EXPECT_NE(again.error().message().find("chmod 600"), std::string::npos) << again.error().message();
  }
  ASSERT_EQ(::chmod(path_.c_str(), 0400), 0);  // owner read-only is fine
  EXPECT_TRUE(ReadPrivateKeyFile(path_, KeyType::kX25519).ok());
}

TEST_F(KeyFile, RefusesAPrivateKeyOwnedBySomeoneElse) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown the file to another user";
  ASSERT_TRUE(WritePrivateKeyFile(path_, kKey, KeyType::kEd25519).ok());
  ASSERT_EQ(::chown(path_.c_str(), 65534, 65534), 0);
  auto r = ReadPrivateKeyFile(path_, KeyType::kEd25519);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kPermission);
  EXPECT_NE(r.error().message().find("owned by uid 65534"), std::string::npos) << r.error().message();
}

TEST_F(KeyFile, NeverReplacesAnExistingKeyUnlessAsked) {
  ASSERT_TRUE(WritePrivateKeyFile(path_, kKey, KeyType::kX25519).ok());
  RawKey other{};
  auto r = WritePrivateKeyFile(path_, other, KeyType::kX25519);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::kBusy);
  EXPECT_EQ(r.error().message(), "key file " + path_ + ": already exists; not replacing it");
  EXPECT_EQ(*ReadPrivateKeyFile(path_, KeyType::kX25519), kKey);
  EXPECT_EQ(Entries().size(), 1u);

  ASSERT_TRUE(WritePrivateKeyFile(path_, other, KeyType::kX25519, Replace::kYes).ok());
  EXPECT_EQ(*ReadPrivateKeyFile(path_, KeyType::kX25519), other);
  EXPECT_EQ(Entries().size(), 1u);
}

TEST_F(KeyFile, WritesPublicKeysWorldReadableAndReadsThemAtAnyMode) {
  mode_t old = ::umask(077);
  auto status = WritePublicKeyFile(path_, kKey, KeyType::kEd25519);
  ::umask(old);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(Mode(path_), 0644u);
  EXPECT_EQ(*ReadPublicKeyFile(path_, KeyType::kEd25519), kKey);
  ASSERT_EQ(::chmod(path_.c_str(), 0666), 0);
  EXPECT_EQ(*ReadPublicKeyFile(path_, KeyType::kEd25519), kKey);
}

TEST_F(KeyFile, NamesTheFileWhenItHoldsTheWrongKindOfKey) {
  ASSERT_TRUE(WritePublicKeyFile(path_, kKey, KeyType::kEd25519).ok());
  ASSERT_EQ(::chmod(path_.c_str(), 0600), 0);
  auto r = ReadPrivateKeyFile(path_, KeyType::kEd25519);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "key file " + path_ + ": holds an nxt-ed25519-public key, expected nxt-ed25519-private");
  EXPECT_FALSE(ReadPublicKeyFile(path_, KeyType::kX25519).ok());
}

TEST_F(KeyFile, RefusesMalformedTextNamingTheFile) {
  std::string good = FormatKey(KeyType::kX25519, KeyPart::kPrivate, kKey);
  for (const std::string& text : {std::string(), good + "\n\n", "# comment\n" + good, good.substr(0, 30),
                                  std::string(5000, 'A'), std::string("\0\0\0", 3)}) {
    WriteRaw(text, 0600);
    auto r = ReadPrivateKeyFile(path_, KeyType::kX25519);
    ASSERT_FALSE(r.ok()) << text.size();
    EXPECT_EQ(r.error().message().rfind("key file " + path_, 0), 0u) << r.error().message();
  }
  WriteRaw(good, 0600);  // no newline at all is fine
  EXPECT_TRUE(ReadPrivateKeyFile(path_, KeyType::kX25519).ok());
}

TEST_F(KeyFile, ReportsAMissingFileOrADirectoryClearly) {
  auto missing = ReadPrivateKeyFile(dir_ + "/nope", KeyType::kX25519);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Errc::kNotFound);
  EXPECT_NE(missing.error().message().find(dir_ + "/nope"), std::string::npos);
  auto directory = ReadPublicKeyFile(dir_, KeyType::kX25519);
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message().find("not a regular file"), std::string::npos);
  EXPECT_FALSE(WritePrivateKeyFile(dir_ + "/no/such/dir/key", kKey, KeyType::kX25519).ok());
}

TEST_F(KeyFile, RefusesAFifoInsteadOfWaitingForAWriter) {
  ASSERT_EQ(::mkfifo(path_.c_str(), 0600), 0);
  auto r = ReadPrivateKeyFile(path_, KeyType::kX25519);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not a regular file"), std::string::npos) << r.error().message();
}

TEST_F(KeyFile, RefusesToWriteAKeyOfTheWrongSize) {
  EXPECT_EQ(WritePrivateKeyFile(path_, std::vector<uint8_t>(31, 1), KeyType::kX25519).error().code(),
            Errc::kInvalidArgument);
  EXPECT_TRUE(Entries().empty());
}

}  // namespace
}  // namespace nxt::crypto
