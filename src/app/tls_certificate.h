// The certificate `parley server` presents on its TLS listeners (docs/operations.md "TLS
// certificates"): the configured one ([tls] cert and key), else a self-signed one generated on
// first start into <data_dir>/tls/ (cert.pem, key.pem mode 0600) and reused afterwards, else --
// with no data directory -- one made in memory for this run.
#pragma once

#include <memory>
#include <string>

#include "net/tls.h"
#include "server/options.h"

namespace parley::app {

struct ServerCertificate {
  std::shared_ptr<net::TlsContext> context;  // null on failure
  bool generated = false;                    // made by this run (in the data directory or in memory)
  std::string error;                         // why `context` is null
};

// Loads or makes the certificate for `options`. When it lives in files (configured or in the
// data directory) their paths are left in options.tls, which is what SIGHUP re-reads.
ServerCertificate load_server_certificate(server::ServerOptions& options);

}  // namespace parley::app
