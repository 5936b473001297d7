#pragma once
// Secrets read from files: systemd credentials (`LoadCredential=`) and other mounted secrets.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "config/secret.h"

namespace opsync {

/// Largest secret file accepted; a larger one is almost certainly the wrong file.
inline constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

/// Resolves the path of an `X_file` key: an absolute path is kept; a relative one is resolved
/// against `credentials_directory` (systemd's `$CREDENTIALS_DIRECTORY`) when that is set and not
/// empty, else against `config_directory` (the directory of the configuration file).
[[nodiscard]] std::string resolve_secret_path(
    std::string_view path, const std::optional<std::string>& credentials_directory,
    std::string_view config_directory);

/// For a relative `X_file` path resolved against `credentials_directory` (when set): an error if
/// the path climbs out with `..` or a symbolic link leads outside it, else empty. Absolute paths
/// are the operator's explicit choice and are not checked.
[[nodiscard]] std::string credentials_path_error(
    std::string_view path, const std::optional<std::string>& credentials_directory);

struct SecretFileRead {
  std::optional<Secret> secret;
  /// Empty on success; names the path and the reason, never the content.
  std::string error;
  /// Set when the file was read but group or others may read or write it (as ssh warns of a
  /// private key): names the path and the mode.
  std::string warning;
};

/// Reads a secret file whole and strips one trailing newline (`\n` or `\r\n`). Fails for a
/// missing, unreadable or non-regular file (a FIFO is refused at once, never waited on), or one
/// over kMaxSecretFileBytes. An empty secret is
/// returned as such; callers decide whether that is an error. A file whose mode gives group or
/// others any access is read, with `warning` set.
[[nodiscard]] SecretFileRead read_secret_file(const std::string& path);

}  // namespace opsync
