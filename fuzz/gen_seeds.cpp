// fuzz_gen_seeds OUT-DIR [REPO-ROOT]: writes seed inputs that need trex itself (run by fuzz/make-corpus.sh):
//   OUT-DIR/fuzz_log_recovery/  signed decision logs written by the real SignedLog with a software signer on
//                               the fixed fuzz key (fuzz_keys.h): one and several segments, a torn last line,
//                               a log reopened after a crash (recovered_bytes checkpoint); segments joined
//                               by form feeds as the target expects
//   OUT-DIR/fuzz_jwt/           compact JWS/JWTs signed with the fuzz keys (HS256/384/512, ES256, RS256,
//                               PS256), a signed-log checkpoint JWS, some with decode_verify constraints
//   OUT-DIR/fuzz_bundle_loader/ .tar.gz bundles from trex's archive writer (plain, signed with the fuzz
//                               HMAC secret, with a manifest), and the text form of each (see the target)
// With REPO-ROOT, each policies/<dir>/ of the repository also becomes a bundle seed.
// An ordinary program (no libFuzzer); exits non-zero when a seed cannot be made.
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_keys.h"
#include "hsm/bytes.h"
#include "hsm/jws.h"
#include "hsm/log_files.h"
#include "hsm/signed_log.h"
#include "hsm/signer.h"
#include "load/archive_writer.h"
#include "load/bundle_signing.h"

namespace fs = std::filesystem;

namespace {

[[noreturn]] void die(const std::string& what) {
  std::cerr << "fuzz_gen_seeds: " << what << "\n";
  std::exit(1);
}

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) die("cannot write " + path.string());
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

EVP_PKEY* private_key(const char* pem) {
  BIO* bio = BIO_new_mem_buf(pem, -1);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) die("bad fixed private key");
  return key;
}

// SHA-256 signature; ES256 converted from DER to raw r‖s, RSA optionally PSS.
std::string sign(EVP_PKEY* key, std::string_view input, bool ec, bool pss) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(md, &pctx, EVP_sha256(), nullptr, key) != 1) die("DigestSignInit");
  if (pss) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  size_t len = 0;
  EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string sig(len, '\0');
  if (EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    die("DigestSign");
  sig.resize(len);
  EVP_MD_CTX_free(md);
  if (!ec) return sig;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  if (!es) die("d2i_ECDSA_SIG");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(es);
  return raw;
}

class SoftSigner : public trex::hsm::Signer {
 public:
  SoftSigner() : key_(private_key(trex_fuzz::kEcPrivatePem)) {
    std::string error;
    auto pub = trex::hsm::PublicKey::from_pem(trex_fuzz::kEcPublicPem, error);
    if (!pub) die(error);
    kid_ = pub->kid();
  }
  ~SoftSigner() override { EVP_PKEY_free(key_); }
  std::string alg() const override { return "ES256"; }
  std::string kid() const override { return kid_; }
  std::string public_key_pem() const override { return trex_fuzz::kEcPublicPem; }
  bool sign(std::string_view input, std::string& signature, std::string&) override {
    signature = ::sign(key_, input, true, false);
    return true;
  }

 private:
  EVP_PKEY* key_;
  std::string kid_;
};

// ---------------------------------------------------------------- signed logs

std::string join_segments(const std::string& dir) {
  std::vector<trex::hsm::SegmentFile> segs;
  std::string error;
  if (!trex::hsm::list_segments(dir, segs, error)) die(error);
  std::string out;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (i) out += '\f';
    out += read_all(segs[i].path);
  }
  return out;
}

void write_log(const std::shared_ptr<SoftSigner>& signer, const std::string& dir, int records, uint64_t segment_bytes,
               trex::hsm::Durability durability) {
  trex::hsm::SignedLogOptions options;
  options.dir = dir;
  options.segment_bytes = segment_bytes;
  options.durability = durability;
  options.max_batch = 3;
  std::string error;
  auto log = trex::hsm::SignedLog::open(options, signer, error);
  if (!log) die("SignedLog::open: " + error);
  for (int i = 0; i < records; ++i) {
    std::string record = R"({"decision_id":"fz-)" + std::to_string(i) +
                         R"(","path":"authz/allow","input":{"user":"alice","n":)" + std::to_string(i * 7) +
                         R"(,"big":123456789012345678901234567890},"result":)" + (i % 2 ? "true" : "false") + "}";
    if (!log->append(i % 4 == 3 ? "outcome" : "decision", record, error)) die("append: " + error);
  }
  if (!log->flush(error)) die("flush: " + error);
  log->close();
}

void make_logs(const fs::path& out, const fs::path& scratch) {
  auto signer = std::make_shared<SoftSigner>();
  auto dir = [&](const char* name) {
    fs::path d = scratch / name;
    fs::remove_all(d);
    return d.string();
  };
  fs::path o = out / "fuzz_log_recovery";

  std::string empty = dir("empty");
  write_log(signer, empty, 0, 64 << 20, trex::hsm::Durability::Sync);
  write_file(o / "log-empty", join_segments(empty));

  std::string one = dir("one");
  write_log(signer, one, 5, 64 << 20, trex::hsm::Durability::Sync);
  std::string one_text = join_segments(one);
  write_file(o / "log-one-segment", one_text);
  write_file(o / "log-torn", one_text + R"({"seq":99,"prev":"00)");
  // Records after the last checkpoint (uncovered).
  write_file(o / "log-uncovered", one_text + one_text.substr(0, one_text.find('\n') + 1));

  std::string many = dir("many");
  write_log(signer, many, 12, 700, trex::hsm::Durability::Sync);
  write_file(o / "log-segments", join_segments(many));

  std::string batched = dir("batched");
  write_log(signer, batched, 10, 64 << 20, trex::hsm::Durability::Async);
  write_file(o / "log-batched", join_segments(batched));

  // A crash mid-write, then a restart: the reopened log cuts the torn line and checkpoints recovered_bytes.
  std::string crashed = dir("crashed");
  write_log(signer, crashed, 3, 64 << 20, trex::hsm::Durability::Sync);
  {
    std::vector<trex::hsm::SegmentFile> segs;
    std::string error;
    trex::hsm::list_segments(crashed, segs, error);
    std::ofstream torn(segs.back().path, std::ios::binary | std::ios::app);
    torn << R"({"seq":7,"prev":"abc)";
  }
  write_log(signer, crashed, 2, 64 << 20, trex::hsm::Durability::Sync);
  write_file(o / "log-recovered", join_segments(crashed));
}

// ---------------------------------------------------------------- JWTs

std::string b64(std::string_view s) { return trex::hsm::base64url_encode(s); }

std::string hmac(const EVP_MD* md, std::string_view input) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::string key = trex_fuzz::kHmacSecret;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(input.data()), input.size(),
       out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

void make_jwts(const fs::path& out) {
  fs::path o = out / "fuzz_jwt";
  const std::string payload = R"({"iss":"trex","sub":"alice","aud":"api","exp":1900000000,"nbf":1500000000,"roles":["admin"]})";
  EVP_PKEY* ec = private_key(trex_fuzz::kEcPrivatePem);
  EVP_PKEY* rsa = private_key(trex_fuzz::kRsaPrivatePem);
  struct Alg {
    const char* name;
    int kind;  // 0 hmac256, 1 hmac384, 2 hmac512, 3 es256, 4 rs256, 5 ps256
  };
  for (Alg a : {Alg{"HS256", 0}, Alg{"HS384", 1}, Alg{"HS512", 2}, Alg{"ES256", 3}, Alg{"RS256", 4}, Alg{"PS256", 5}}) {
    std::string header = std::string(R"({"alg":")") + a.name + R"(","typ":"JWT"})";
    std::string input = b64(header) + "." + b64(payload);
    std::string sig;
    switch (a.kind) {
      case 0: sig = hmac(EVP_sha256(), input); break;
      case 1: sig = hmac(EVP_sha384(), input); break;
      case 2: sig = hmac(EVP_sha512(), input); break;
      case 3: sig = sign(ec, input, true, false); break;
      case 4: sig = sign(rsa, input, false, false); break;
      default: sig = sign(rsa, input, false, true); break;
    }
    std::string token = input + "." + b64(sig);
    write_file(o / (std::string("jwt-") + a.name), token);
    write_file(o / (std::string("jwt-") + a.name + "-constraints"),
               token + "\n" + R"({"iss":"trex","aud":"api","secret":"fuzz-secret","alg":")" + a.name + R"("})");
    if (a.kind == 0) {
      // Nested: a signed JWT whose payload is the token above (cty JWT).
      std::string outer_input = b64(R"({"alg":"HS256","cty":"JWT"})") + "." + b64(token);
      write_file(o / "jwt-nested", outer_input + "." + b64(hmac(EVP_sha256(), outer_input)));
      write_file(o / "jwt-HS256-header", token + "\n" + R"({"alg":"HS256","typ":"JWT","kid":"k1"})");
    }
  }
  write_file(o / "jwt-rsa-key", b64(R"({"alg":"RS256"})") + "." + b64(payload) + ".c2ln\n" + trex_fuzz::kRsaPublicPem);
  write_file(o / "jwt-jwks", b64(R"({"alg":"ES256","kid":"a"})") + "." + b64(payload) +
                                  ".c2ln\n" R"({"keys":[{"kty":"EC","crv":"P-256","kid":"a",)"
                                  R"("x":"MouTfQMS5wU3QFVQexVeTyi6HzPXtP3uYRbFpZlJJ-E","y":"lfSYJyGpVTSR2dR8txl2d0Ca_PMNSuiCn27T2O9CJGs"}]})");
  // The signed log's checkpoint JWS.
  SoftSigner signer;
  std::string jws, error;
  if (!trex::hsm::jws_sign(signer, R"({"log":"trex","seq":4,"head":"00","ts":"2026-11-26T00:00:00.000Z"})", jws, error))
    die(error);
  write_file(o / "jws-checkpoint", jws);
  EVP_PKEY_free(ec);
  EVP_PKEY_free(rsa);
}

// ---------------------------------------------------------------- bundles

std::string text_form(const trex::load::ArchiveFiles& files) {
  std::string out;
  for (const auto& [name, bytes] : files) out += "=== " + name + "\n" + bytes + "\n";
  return out;
}

void write_bundle(const fs::path& o, const std::string& name, trex::load::ArchiveFiles files, bool signed_bundle) {
  if (signed_bundle) {
    std::vector<trex::load::FileHash> hashes;
    for (const auto& [n, bytes] : files) {
      std::string error;
      auto h = trex::load::hash_file({n.substr(n.front() == '/' ? 1 : 0), bytes}, error);
      if (!h) die("hash_file " + n + ": " + error);
      hashes.push_back(*h);
    }
    trex::load::SigningConfig cfg;
    cfg.key = trex_fuzz::kHmacSecret;
    cfg.algorithm = "HS256";
    std::string error;
    auto token = trex::load::sign_files(hashes, cfg, error);
    if (!token) die("sign_files: " + error);
    write_file(o / (name + ".txt"), text_form(files) + "=== /.signatures.json\nSIGN\n");
    files.emplace_back("/.signatures.json", trex::load::signatures_file_text(*token));
  } else {
    write_file(o / (name + ".txt"), text_form(files));
  }
  std::string error;
  std::string tgz = trex::load::write_tar_gz(files, error);
  if (tgz.empty()) die("write_tar_gz: " + error);
  write_file(o / (name + ".tar.gz"), tgz);
}

void make_bundles(const fs::path& out, const fs::path& repo) {
  fs::path o = out / "fuzz_bundle_loader";
  trex::load::ArchiveFiles basic = {
      {"/.manifest", R"({"revision":"r1","roots":["authz","users"],"metadata":{"owner":"fuzz"}})"},
      {"/authz/policy.rego", "package authz\n\nimport rego.v1\n\ndefault allow := false\n\nallow if input.user == data.users.admin\n"},
      {"/users/data.json", R"({"admin":"alice","list":[1,2.5,"x",null,true,{"a":[]}]})"},
      {"/users/more/data.yaml", "name: bob\nroles:\n  - dev\n  - ops\nlimit: 1e3\n"},
  };
  write_bundle(o, "basic", basic, false);
  write_bundle(o, "signed", basic, true);
  write_bundle(o, "no-manifest", {{"/data.json", R"({"a":{"b":1}})"}, {"/x.rego", "package x\np := 1\n"}}, false);
  write_bundle(o, "v0", {{"/.manifest", R"({"rego_version":0,"roots":[""]})"}, {"/p.rego", "package p\nq[x] { x := 1 }\n"}},
               false);
  write_bundle(o, "file-versions",
               {{"/.manifest", R"({"rego_version":1,"file_rego_versions":{"/v0/*.rego":0},"roots":["v0","v1"]})"},
                {"/v0/a.rego", "package v0\nq[x] { x := 1 }\n"},
                {"/v1/b.rego", "package v1\nq contains 1\n"}},
               true);
  if (repo.empty()) return;
  std::error_code ec;
  for (const auto& d : fs::directory_iterator(repo / "policies", ec)) {
    if (!d.is_directory()) continue;
    trex::load::ArchiveFiles files;
    for (const auto& f : fs::recursive_directory_iterator(d.path())) {
      if (!f.is_regular_file()) continue;
      auto ext = f.path().extension();
      if (ext != ".rego" && ext != ".json" && ext != ".yaml") continue;
      files.emplace_back("/" + f.path().lexically_relative(d.path()).generic_string(), read_all(f.path()));
    }
    if (!files.empty()) write_bundle(o, "policies-" + d.path().filename().string(), files, false);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: fuzz_gen_seeds OUT-DIR [REPO-ROOT]\n";
    return 2;
  }
  fs::path out = argv[1];
  fs::path repo = argc > 2 ? fs::path(argv[2]) : fs::path();
  fs::path scratch = out / ".scratch";
  make_logs(out, scratch);
  make_jwts(out);
  make_bundles(out, repo);
  fs::remove_all(scratch);
  return 0;
}
