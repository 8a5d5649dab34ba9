// Reading the user PIN (see pin.h).
#include "hsm/pin.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace trex::hsm {

namespace {

bool read_pin_file(const std::string& path, SecretString& pin, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "PIN file " + path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    error = "PIN file " + path + " is not a regular file";
    return false;
  }
  // A PIN readable by others is as good as published: refuse it rather than use it.
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    error = "PIN file " + path + " must not be accessible by group or others (chmod 600)";
    return false;
  }
  std::string buf(256, '\0');
  ssize_t n = ::read(fd, buf.data(), buf.size());
  ::close(fd);
  if (n < 0) {
    SecretString wipe(std::move(buf));
    error = "PIN file " + path + ": read failed";
    return false;
  }
  size_t len = size_t(n);
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) --len;
  buf.resize(len);  // the bytes past len stay in capacity and are wiped by SecretString
  if (len == 0) {
    SecretString wipe(std::move(buf));
    error = "PIN file " + path + " is empty";
    return false;
  }
  pin = SecretString(std::move(buf));
  return true;
}

}  // namespace

bool read_pin(const PinSource& source, SecretString& pin, std::string& error) {
  if (!source.file.empty()) return read_pin_file(source.file, pin, error);
  const char* value = source.env.empty() ? nullptr : std::getenv(source.env.c_str());
  if (value == nullptr || *value == '\0') {
    error = "the HSM user PIN is not set: set the environment variable " +
            (source.env.empty() ? std::string(kDefaultPinEnv) : source.env) + " or give a PIN file";
    return false;
  }
  pin = SecretString(std::string(value));
  return true;
}

}  // namespace trex::hsm
