#include "link/account_relay.h"

#include <charconv>
#include <cstring>

#include "core/text.h"
#include "crypto/crypto.h"

namespace parley::link {

namespace {

class Writer {
 public:
  Writer& text(std::string_view s) {
    sep();
    out_ += s.empty() ? std::string("*") : crypto::base64_encode(s);
    return *this;
  }
  Writer& number(std::uint64_t n) {
    sep();
    out_ += std::to_string(n);
    return *this;
  }
  std::string take() { return std::move(out_); }

 private:
  void sep() {
    if (!out_.empty()) out_ += ' ';
  }
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::string_view> fields) : fields_(fields) {}
  std::optional<std::string> text() {
    if (next_ >= fields_.size()) return std::nullopt;
    std::string_view f = fields_[next_++];
    if (f == "*") return std::string();
    return crypto::base64_decode(f);
  }
  std::optional<std::uint64_t> number(std::uint64_t max) {
    if (next_ >= fields_.size()) return std::nullopt;
    std::string_view f = fields_[next_++];
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (ec != std::errc{} || p != f.data() + f.size() || v > max) return std::nullopt;
    return v;
  }
  bool done() const { return next_ == fields_.size(); }

 private:
  std::span<const std::string_view> fields_;
  std::size_t next_ = 0;
};

constexpr auto kLastKind = static_cast<std::uint64_t>(core::AccountRequest::Kind::kVerify);
constexpr auto kLastOutcome = static_cast<std::uint64_t>(core::AccountAnswer::Outcome::kFailed);

}  // namespace

std::string encode_account_request(const core::AccountRequest& r) {
  return Writer()
      .number(static_cast<std::uint64_t>(r.kind))
      .text(r.account)
      .text(r.account_folded)
      .text(r.password)
      .text(r.email)
      .text(r.certfp)
      .number(r.flag ? 1 : 0)
      .number(r.limit)
      .take();
}

std::optional<core::AccountRequest> decode_account_request(std::span<const std::string_view> fields) {
  Reader in(fields);
  core::AccountRequest r;
  auto kind = in.number(kLastKind);
  auto account = in.text(), folded = in.text(), password = in.text(), email = in.text(), certfp = in.text();
  auto flag = in.number(1), limit = in.number(1'000'000);
  if (!kind || !account || !folded || !password || !email || !certfp || !flag || !limit || !in.done())
    return std::nullopt;
  r.kind = static_cast<core::AccountRequest::Kind>(*kind);
  // A relayed request never checks a configured hash: those (server PASS, OPER) stay local.
  if (r.kind == core::AccountRequest::Kind::kVerifyPassword) return std::nullopt;
  r.account = std::move(*account);
  r.account_folded = std::move(*folded);
  r.password = std::move(*password);
  r.email = std::move(*email);
  r.certfp = std::move(*certfp);
  r.flag = *flag == 1;
  r.limit = static_cast<std::size_t>(*limit);
  return r;
}

std::string encode_account_answer(const core::AccountAnswer& a) {
  Writer w;
  w.number(static_cast<std::uint64_t>(a.outcome)).text(a.detail).number(a.account ? 1 : 0);
  if (a.account) {
    const core::AccountInfo& i = *a.account;
    std::string certfps;
    for (const std::string& fp : i.certfps) certfps += (certfps.empty() ? "" : ",") + fp;
    w.text(i.name)
        .text(i.email)
        .number(i.verified ? 1 : 0)
        .number(i.enforce ? 1 : 0)
        .text(certfps)
        .number(static_cast<std::uint64_t>(std::max<std::int64_t>(0, i.registered_at)))
        .text(i.scram.salt)
        .number(i.scram.iterations)
        .text(crypto::as_view(i.scram.stored_key))
        .text(crypto::as_view(i.scram.server_key));
  }
  return w.take();
}

std::optional<core::AccountAnswer> decode_account_answer(std::span<const std::string_view> fields) {
  Reader in(fields);
  core::AccountAnswer a;
  auto outcome = in.number(kLastOutcome);
  auto detail = in.text();
  auto has_account = in.number(1);
  if (!outcome || !detail || !has_account) return std::nullopt;
  a.outcome = static_cast<core::AccountAnswer::Outcome>(*outcome);
  a.detail = std::move(*detail);
  if (*has_account) {
    core::AccountInfo i;
    auto name = in.text(), email = in.text();
    auto verified = in.number(1), enforce = in.number(1);
    auto certfps = in.text();
    auto registered = in.number(INT64_MAX);
    auto salt = in.text();
    auto iterations = in.number(UINT32_MAX);
    auto stored = in.text(), server = in.text();
    if (!name || !email || !verified || !enforce || !certfps || !registered || !salt || !iterations ||
        !stored || !server)
      return std::nullopt;
    auto digest = [](const std::string& bytes, crypto::Digest& out) {
      if (bytes.empty()) return true;
      if (bytes.size() != out.size()) return false;
      std::memcpy(out.data(), bytes.data(), out.size());
      return true;
    };
    if (!digest(*stored, i.scram.stored_key) || !digest(*server, i.scram.server_key)) return std::nullopt;
    i.name = std::move(*name);
    i.email = std::move(*email);
    i.verified = *verified == 1;
    i.enforce = *enforce == 1;
    for (std::string_view fp : core::split_list(*certfps)) i.certfps.emplace_back(fp);
    i.registered_at = static_cast<std::int64_t>(*registered);
    i.scram.salt = std::move(*salt);
    i.scram.iterations = static_cast<std::uint32_t>(*iterations);
    a.account = std::move(i);
  }
  if (!in.done()) return std::nullopt;
  return a;
}

}  // namespace parley::link
