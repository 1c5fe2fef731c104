// parley-logins: SASL login load for an IRC server. Each login is a fresh connection that
// negotiates the `sasl` capability, authenticates with PLAIN or SCRAM-SHA-256 as one account,
// completes registration (001) and quits. It answers two questions from issue 12:
// With `--mechanism PASS` a login is the server password instead (PASS, then 001).
//   - how many logins per second the server completes (`--concurrency N`, no rate: as fast as
//     the server goes), and
//   - what a steady background of logins does to everyone else (`--rate 20` beside
//     `parley-bench --preset latency`: compare the fan-out p99 with and without it).
// The account must exist (`parley account create NAME --data-dir DIR`, or REGISTER).
//
// Output: progress on stderr, one JSON line on stdout when the run ends: logins, failures,
// logins_per_s, latency_ms p50/p90/p99/max from connect to 903 RPL_SASLSUCCESS.
//
// Threads: `--concurrency` workers, each running logins one after another with blocking sockets
// (a login costs the server an Argon2id check or a SCRAM exchange; the client side is cheap next
// to it, except SCRAM's PBKDF2, which each worker computes once and reuses).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crypto/crypto.h"
#include "crypto/scram.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
  std::string host = "127.0.0.1";
  int port = 6667;
  std::string account;
  std::string password;
  std::string mechanism = "PLAIN";
  double rate = 0;  // logins per second over all workers; 0: as fast as possible
  int concurrency = 4;
  double duration = 10;
  double timeout = 10;  // per login
};

// One blocking IRC connection with a line reader and a deadline.
class Line {
 public:
  Line(const Options& o, Clock::time_point deadline) : deadline_(deadline) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(static_cast<std::uint16_t>(o.port));
    ::inet_pton(AF_INET, o.host.c_str(), &at.sin_addr);
    ok_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0;
    const int one = 1;
    if (ok_) ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Line() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return ok_; }
  void send(const std::string& text) {
    const std::string line = text + "\r\n";
    if (ok_ && ::send(fd_, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) ok_ = false;
  }
  // The next line whose command (second word, or first without a source) is one of `commands`;
  // nullopt on EOF, error or deadline. PINGs are answered on the way.
  std::optional<std::string> until(std::initializer_list<std::string_view> commands) {
    while (ok_) {
      for (auto end = buffer_.find("\r\n"); end != std::string::npos; end = buffer_.find("\r\n")) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        std::string_view rest = line;
        if (rest.starts_with('@')) rest.remove_prefix(std::min(rest.size(), rest.find(' ') + 1));
        if (rest.starts_with(':')) rest.remove_prefix(std::min(rest.size(), rest.find(' ') + 1));
        const std::string_view command = rest.substr(0, rest.find(' '));
        if (command == "PING") send("PONG" + std::string(rest.substr(4)));
        for (auto c : commands) {
          if (command == c) return line;
        }
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
      pollfd p{fd_, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    ok_ = false;
    return std::nullopt;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
  std::string buffer_;
  Clock::time_point deadline_;
};

// The last space-separated word of `line` (the AUTHENTICATE payload).
std::string last_word(const std::string& line) { return line.substr(line.rfind(' ') + 1); }

// Client-side SCRAM keys are the same for every login of one account (same salt and count), so
// each worker derives them once.
struct ScramCache {
  std::string salt;
  std::uint32_t iterations = 0;
  parley::crypto::ScramClientKeys keys;
};

bool scram_exchange(Line& c, const Options& o, ScramCache& cache, std::uint64_t nonce_seed) {
  using namespace parley::crypto;
  const std::string client_nonce = to_hex(as_view(sha256(std::to_string(nonce_seed) + o.account)));
  const std::string client_first_bare = "n=" + o.account + ",r=" + client_nonce;
  c.send("AUTHENTICATE " + base64_encode("n,," + client_first_bare));
  auto challenge = c.until({"AUTHENTICATE", "904", "905"});
  if (!challenge || challenge->find("AUTHENTICATE") == std::string::npos) return false;
  auto server_first = base64_decode(last_word(*challenge));
  if (!server_first) return false;
  std::string nonce, salt_b64;
  std::uint32_t iterations = 0;
  for (std::size_t at = 0; at < server_first->size();) {
    const std::size_t end = std::min(server_first->find(',', at), server_first->size());
    const std::string field = server_first->substr(at, end - at);
    if (field.starts_with("r=")) nonce = field.substr(2);
    if (field.starts_with("s=")) salt_b64 = field.substr(2);
    if (field.starts_with("i=")) iterations = static_cast<std::uint32_t>(std::stoul(field.substr(2)));
    at = end + 1;
  }
  auto salt = base64_decode(salt_b64);
  if (!nonce.starts_with(client_nonce) || !salt || iterations == 0) return false;
  if (cache.salt != *salt || cache.iterations != iterations) {
    cache = {*salt, iterations, derive_scram_client_keys(o.password, *salt, iterations)};
  }
  const std::string final_without_proof = "c=biws,r=" + nonce;
  const std::string auth_message = client_first_bare + "," + *server_first + "," + final_without_proof;
  c.send("AUTHENTICATE " +
         base64_encode(final_without_proof + ",p=" + base64_encode(scram_client_proof(cache.keys, auth_message))));
  auto verdict = c.until({"AUTHENTICATE", "904", "905"});
  if (!verdict || verdict->find("AUTHENTICATE") == std::string::npos) return false;
  const auto server_final = base64_decode(last_word(*verdict));
  const std::string expected = "v=" + base64_encode(scram_server_signature(cache.keys.server_key, auth_message));
  if (!server_final || *server_final != expected) return false;
  c.send("AUTHENTICATE +");
  return true;
}

// One login: true when 903 arrived (and registration completed).
bool login_once(const Options& o, ScramCache& cache, std::uint64_t serial) {
  Line c(o, Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.timeout)));
  if (!c.ok()) return false;
  const std::string nick = "login" + std::to_string(serial);
  if (o.mechanism == "PASS") {  // the server password: PASS, then registration
    c.send("PASS :" + o.password);
    c.send("NICK " + nick);
    c.send("USER " + nick + " 0 * :parley-logins");
    if (!c.until({"001"})) return false;
    c.send("QUIT");
    return true;
  }
  c.send("CAP LS 302");
  c.send("NICK " + nick);
  c.send("USER " + nick + " 0 * :parley-logins");
  // CAP LS may take several lines: "CAP * LS * :..." continues, the last has no "*".
  for (;;) {
    auto ls = c.until({"CAP"});
    if (!ls) return false;
    if (ls->find(" LS * ") == std::string::npos) break;
  }
  c.send("CAP REQ :sasl");
  auto ack = c.until({"CAP"});
  if (!ack || ack->find(" ACK ") == std::string::npos) return false;
  c.send("AUTHENTICATE " + o.mechanism);
  if (o.mechanism == "PLAIN") {
    if (!c.until({"AUTHENTICATE"})) return false;
    c.send("AUTHENTICATE " + parley::crypto::base64_encode(std::string(1, '\0') + o.account + '\0' + o.password));
  } else {
    if (!c.until({"AUTHENTICATE"})) return false;  // "AUTHENTICATE +"
    if (!scram_exchange(c, o, cache, serial)) return false;
  }
  auto result = c.until({"903", "904", "905", "906"});
  if (!result || result->find(" 903 ") == std::string::npos) return false;
  c.send("CAP END");
  if (!c.until({"001"})) return false;
  c.send("QUIT");
  return true;
}

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const std::size_t i = std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())));
  return sorted[i];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"parley-logins: SASL login load (see bench/README.md)"};
  app.add_option("--host", o.host, "Server IPv4 address");
  app.add_option("--port", o.port, "Server port")->check(CLI::Range(1, 65535));
  app.add_option("--account", o.account, "Account to log in as (not used with PASS)");
  app.add_option("--password-env", o.password, "Name of the environment variable holding the password")
      ->required()
      ->transform([](const std::string& name) {
        const char* value = std::getenv(name.c_str());
        if (!value) throw CLI::ValidationError("--password-env", name + " is not set");
        return std::string(value);
      });
  app.add_option("--mechanism", o.mechanism, "PLAIN, SCRAM-SHA-256, or PASS (the server password)")
      ->check(CLI::IsMember({"PLAIN", "SCRAM-SHA-256", "PASS"}));
  app.add_option("--rate", o.rate, "Logins per second over all workers (0: as fast as possible)");
  app.add_option("--concurrency", o.concurrency, "Logins in flight")->check(CLI::Range(1, 256));
  app.add_option("--duration", o.duration, "Seconds to run");
  CLI11_PARSE(app, argc, argv);

  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::atomic<std::uint64_t> serial{0}, failures{0};
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
  // With a rate, login k (over all workers) starts at start + k / rate.
  auto worker = [&] {
    ScramCache cache;
    for (;;) {
      const std::uint64_t k = serial++;
      Clock::time_point at = Clock::now();
      if (o.rate > 0) {
        at = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(k / o.rate));
        std::this_thread::sleep_until(at);
      }
      if (at >= end) return;
      const auto began = Clock::now();
      if (login_once(o, cache, k)) {
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - began).count();
        std::lock_guard lock(mutex);
        latencies_ms.push_back(ms);
      } else {
        ++failures;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < o.concurrency; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::fprintf(stderr, "parley-logins: %zu logins, %llu failed, in %.1f s\n", latencies_ms.size(),
               static_cast<unsigned long long>(failures.load()), seconds);
  std::printf(
      "{\"mechanism\":\"%s\",\"logins\":%zu,\"failures\":%llu,\"logins_per_s\":%.1f,"
      "\"latency_ms\":{\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"max\":%.2f}}\n",
      o.mechanism.c_str(), latencies_ms.size(), static_cast<unsigned long long>(failures.load()),
      static_cast<double>(latencies_ms.size()) / seconds, percentile(latencies_ms, 0.5),
      percentile(latencies_ms, 0.9), percentile(latencies_ms, 0.99),
      latencies_ms.empty() ? 0.0 : latencies_ms.back());
  return failures.load() == 0 && !latencies_ms.empty() ? 0 : 1;
}
