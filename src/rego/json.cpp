// JSON reading (straight into Values, iteratively) and writing (Go encoding/json style, as OPA prints).
#include "rego/json.h"

#include <rapidjson/error/en.h>
#include <sys/mman.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstdint>

#include <algorithm>
#include <bit>
#include <cstring>

#include "rego/bytes.h"
#include "rego/number.h"
#include "rego/utf8.h"
#include "rego/packed.h"

namespace rego::json {

namespace {

// ---- UTF-8 ----

// Decodes one code point the way Go's utf8.DecodeRune does: any invalid sequence (bad lead byte, bad or missing
// continuation, overlong form, surrogate, > U+10FFFF) yields size 1, so each bad byte becomes one U+FFFD.
// Returns the size consumed and stores the rune (or -1 when invalid).
size_t decode_rune(const unsigned char* s, size_t n, int32_t& rune) {
  unsigned char c = s[0];
  rune = -1;
  if (c < 0x80) {
    rune = c;
    return 1;
  }
  unsigned char lo = 0x80, hi = 0xBF;
  size_t need;
  int32_t r;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 2;
    r = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    r = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // excludes UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    r = c & 0x07;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 1;
  }
  if (n < need) return 1;
  if (s[1] < lo || s[1] > hi) return 1;
  r = (r << 6) | (s[1] & 0x3F);
  for (size_t i = 2; i < need; ++i) {
    if (s[i] < 0x80 || s[i] > 0xBF) return 1;
    r = (r << 6) | (s[i] & 0x3F);
  }
  rune = r;
  return need;
}

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// Go's decoder replaces invalid UTF-8 in strings with U+FFFD; do the same so every string Value is valid UTF-8.
std::string sanitize_utf8(const char* p, size_t n) {
  const auto* s = reinterpret_cast<const unsigned char*>(p);
  size_t i = 0;
  // Fast path: scan for the first problem; most strings are ASCII or valid UTF-8.
  while (i < n) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    int32_t r;
    size_t k = decode_rune(s + i, n - i, r);
    if (r < 0) break;
    i += k;
  }
  if (i == n) return std::string(p, n);
  std::string out(p, i);
  while (i < n) {
    int32_t r;
    size_t k = decode_rune(s + i, n - i, r);
    if (r < 0) out += kReplacement;
    else out.append(p + i, k);
    i += k;
  }
  return out;
}

// ---- reading ----

// Object keys repeat from one document to the next ("input", "subject", "id" in every request body): each
// thread keeps the string Values of recent short keys in a small direct-mapped table, so reading a known key
// costs a probe and a compare instead of a string node's allocation (and its release with the document).
// Sharing a key's node between documents is safe: nodes are immutable and reference-counted.
class KeyCache {
 public:
  Value get(std::string_view key) {
    if (key.empty() || key.size() > kMaxKeySize) return Value::string(key);
    Value& slot = slots_[slot_of(key)];
    if (!slot.is_string() || !bytes::same_string(slot.as_string(), key)) slot = Value::string(key);
    return slot;
  }

 private:
  static constexpr size_t kSlots = 512;
  static constexpr size_t kMaxKeySize = 40;
  // Length and three characters: enough to spread the keys of typical documents; a collision only costs a
  // fresh node.
  static size_t slot_of(std::string_view k) {
    size_t h = k.size() * 0x9E3779B1u;
    h ^= static_cast<unsigned char>(k[0]) * 0x85EBCA77u;
    h ^= static_cast<unsigned char>(k[k.size() / 2]) * 0xC2B2AE3Du;
    h ^= static_cast<unsigned char>(k.back()) * 0x27D4EB2Fu;
    return (h ^ (h >> 15)) & (kSlots - 1);
  }
  Value slots_[kSlots];
};
thread_local KeyCache key_cache;
// String values this short go through the key cache too: names such as "read", "EUR", "POST" repeat from one
// request to the next as keys do, while long strings (ids, UUIDs) mostly do not.
constexpr size_t kCachedValueBytes = 16;

// Where the reader's values go. ValueSink builds ordinary Values on a flat stack: scalars and finished
// collections are pushed; each open container remembers where its children start; objects push key and value
// alternately. PackedSink (packed.h) builds a packed document the same way.
class ValueSink {
 public:
  // Room up front for the values a document of `text_size` bytes usually holds (about one per eight bytes),
  // so a request body's stack does not grow by doubling; capped for big documents, whose stack still grows.
  explicit ValueSink(size_t text_size) { stack_.reserve(std::min<size_t>(text_size / 8 + 8, 4096)); }
  size_t mark() const { return stack_.size(); }
  void string(std::string_view s) {
    stack_.push_back(s.size() <= kCachedValueBytes ? key_cache.get(s) : Value::string(s));
  }
  void key(std::string_view s) { stack_.push_back(key_cache.get(s)); }
  void push(const Value& v) { stack_.push_back(v); }
  bool number(std::string_view text) {
    auto v = number::parse(text);
    if (!v) return false;
    stack_.push_back(std::move(*v));
    return true;
  }
  void special(uint32_t which) {  // 0 null, 1 false, 2 true
    stack_.push_back(which == 0 ? Value() : Value::boolean(which == 2));
  }
  void close(size_t start, bool object) {
    auto first = stack_.begin() + static_cast<ptrdiff_t>(start);
    if (object) {
      Value obj = Value::object_from_pairs(stack_.data() + start, (stack_.size() - start) / 2);
      stack_.erase(first, stack_.end());
      stack_.push_back(std::move(obj));  // sorted; a repeated key keeps its last value, as in Go
    } else {
      std::vector<Value> items(std::make_move_iterator(first), std::make_move_iterator(stack_.end()));
      stack_.erase(first, stack_.end());
      stack_.push_back(Value::array(std::move(items)));
    }
  }
  Value finish() { return std::move(stack_.back()); }

 private:
  std::vector<Value> stack_;
};

// A hand-written iterative reader rather than RapidJSON's: the installed RapidJSON (1.1.0) rejects numbers such
// as 1e400 or 400-digit integers with "Number too big" even when asked for numbers as strings, and turns lone
// \u surrogates into errors where Go (and so OPA) substitutes U+FFFD. Error codes and messages stay RapidJSON's.
//
// Values go to a Sink (above) as they are met. A projecting reader (kProject, `keep` naming what to build) reads
// the values outside the projection alike but does not give them to the sink; its own instantiation, so that
// reading whole documents pays nothing for it. Nesting costs heap, not stack.
template <class Sink, bool kProject = false>
class Reader {
 public:
  Reader(std::string_view text, size_t max_depth, Sink& sink, const Projection* keep = nullptr)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth), sink_(sink),
        keep_(keep && !keep->whole ? keep : nullptr) {
    frames_.reserve(16);  // deep enough for most documents in one allocation (a request body's took three)
  }

  ParseResult run() {
    ParseResult result;
    if (!document()) {
      std::string why = custom_.empty() ? std::string(rapidjson::GetParseError_En(code_)) : custom_;
      result.error = "invalid JSON at offset " + std::to_string(err_offset_) + ": " + why;
      return result;
    }
    result.value = sink_.finish();
    result.ok = true;
    return result;
  }

 private:
  struct Frame {
    size_t start;
    bool object;
    bool dropped;            // kProject: outside the projection, its values are read and dropped
    const Projection* keep;  // kProject: an object's members to build (null: all)
  };

  bool document() {
    skip_ws();
    if (p_ == end_) return fail(rapidjson::kParseErrorDocumentEmpty);
    for (;;) {
      // Expecting a value.
      char c = *p_;
      if (c == '{' || c == '[') {
        if (frames_.size() >= max_depth_) return fail_custom("JSON nesting too deep");
        bool obj = c == '{';
        frames_.push_back(Frame{dropping() ? 0 : sink_.mark(), obj, dropping(), obj ? keep_ : nullptr});
        ++p_;
        skip_ws();
        if (p_ < end_ && *p_ == (obj ? '}' : ']')) {
          ++p_;
          close();
        } else {
          if (obj && !member_key()) return false;
          // "[" at the end of the text: no value follows (member_key checks this for objects).
          if (!obj && p_ == end_) return fail(rapidjson::kParseErrorValueInvalid);
          if (!obj) element();
          continue;
        }
      } else if (!scalar()) {
        return false;
      }
      if (p_ >= release_at_) release_consumed();
      // After a value: close containers, or move on to the next element.
      for (;;) {
        skip_ws();
        if (frames_.empty()) {
          if (p_ != end_) return fail(rapidjson::kParseErrorDocumentRootNotSingular);
          return true;
        }
        bool obj = frames_.back().object;
        if (p_ < end_ && *p_ == ',') {
          ++p_;
          skip_ws();
          if (obj && !member_key()) return false;
          if (!obj) element();
          break;
        }
        if (p_ < end_ && *p_ == (obj ? '}' : ']')) {
          ++p_;
          close();
          continue;
        }
        return fail(obj ? rapidjson::kParseErrorObjectMissCommaOrCurlyBracket
                        : rapidjson::kParseErrorArrayMissCommaOrSquareBracket);
      }
      skip_ws();
      if (p_ == end_) return fail(rapidjson::kParseErrorValueInvalid);
    }
  }

  // `"name" :` then whitespace, leaving the reader at the member's value.
  bool member_key() {
    if (p_ == end_ || *p_ != '"') return fail(rapidjson::kParseErrorObjectMissName);
    if constexpr (kProject) {
      if (!projected_key()) return false;
    } else if (!string_value(/*is_key=*/true)) {
      return false;
    }
    skip_ws();
    if (p_ == end_ || *p_ != ':') return fail(rapidjson::kParseErrorObjectMissColon);
    ++p_;
    skip_ws();
    if (p_ == end_) return fail(rapidjson::kParseErrorValueInvalid);
    return true;
  }

  // A projecting reader's member key: reads it and decides whether the member's value is built, and how much.
  bool projected_key() {
    std::string_view key;
    bool high_bytes = false;
    if (!read_string(key, high_bytes)) return false;
    const Frame& object = frames_.back();
    drop_ = object.dropped;
    keep_ = nullptr;
    if (drop_) return true;
    std::string sanitized;
    if (high_bytes) key = sanitized = sanitize_utf8(key.data(), key.size());
    if (!object.keep) {
      if (high_bytes) sink_.string(key);
      else sink_.key(key);
      return true;
    }
    const Projection::Member* member = object.keep->member(key);
    drop_ = member == nullptr;
    if (drop_) return true;
    if (!member->value.whole) keep_ = &member->value;
    // The key from this thread's key cache, not a Value shared with the policy: every request would bump the
    // shared node's reference count from every thread, a cache line bouncing between cores (perf: 4% of the
    // server's time on that one increment).
    sink_.key(member->key);
    return true;
  }

  // An array's next element: built whole unless the array is dropped.
  void element() {
    if constexpr (kProject) {
      drop_ = frames_.back().dropped;
      keep_ = nullptr;
    }
  }

  bool dropping() const { return kProject && drop_; }

  void close() {
    Frame f = frames_.back();
    frames_.pop_back();
    if (!(kProject && f.dropped)) sink_.close(f.start, f.object);
  }

  bool scalar() {
    switch (*p_) {
      case '"': return string_value();
      case 't': return literal("true", 2);
      case 'f': return literal("false", 1);
      case 'n': return literal("null", 0);
      default: return number_value();
    }
  }

  bool literal(std::string_view word, uint32_t which) {
    for (char w : word) {
      if (p_ == end_ || *p_ != w) return fail(rapidjson::kParseErrorValueInvalid);
      ++p_;
    }
    if (!dropping()) sink_.special(which);
    return true;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  bool number_value() {
    const char* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !digit(*p_)) return fail(rapidjson::kParseErrorValueInvalid, start);
    if (*p_ == '0') {
      ++p_;  // a leading zero stands alone; "01" then fails as trailing garbage, as in RapidJSON
    } else {
      while (p_ < end_ && digit(*p_)) ++p_;
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !digit(*p_)) return fail(rapidjson::kParseErrorNumberMissFraction);
      while (p_ < end_ && digit(*p_)) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !digit(*p_)) return fail(rapidjson::kParseErrorNumberMissExponent);
      while (p_ < end_ && digit(*p_)) ++p_;
    }
    if (!dropping() && !sink_.number(std::string_view(start, static_cast<size_t>(p_ - start)))) {
      return fail(rapidjson::kParseErrorValueInvalid, start);  // unreachable: the grammar was checked
    }
    return true;
  }

  static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Reads the 4 hex digits of a \u escape at p_; -1 on error (already reported).
  int32_t hex4() {
    if (end_ - p_ < 4) {
      fail(rapidjson::kParseErrorStringUnicodeEscapeInvalidHex);
      return -1;
    }
    int32_t r = 0;
    for (int i = 0; i < 4; ++i) {
      int h = hex_value(p_[i]);
      if (h < 0) {
        fail(rapidjson::kParseErrorStringUnicodeEscapeInvalidHex, p_ + i);
        return -1;
      }
      r = r * 16 + h;
    }
    p_ += 4;
    return r;
  }

  // Reads a string starting at the opening quote and pushes it (unless it is dropped).
  bool string_value(bool is_key = false) {
    std::string_view text;
    bool high_bytes = false;
    if (!read_string(text, high_bytes)) return false;
    if (dropping()) return true;
    if (high_bytes) sink_.string(sanitize_utf8(text.data(), text.size()));
    else if (is_key) sink_.key(text);
    else sink_.string(text);
    return true;
  }

  // Reads a string starting at the opening quote: `text` is its bytes with escapes decoded (where it lies in
  // the document when it has no escape, so without a copy, else in buf_, valid until the next string), and
  // `high_bytes` whether any is outside ASCII (then it is to be sanitized: Go's decoder turns invalid UTF-8
  // into U+FFFD). Escaped unpaired surrogates become U+FFFD; raw control characters are errors.
  bool read_string(std::string_view& text, bool& high_bytes) {
    ++p_;  // opening quote
    const char* start = p_;
    scan_plain(high_bytes);
    if (p_ < end_ && *p_ == '"') {
      ++p_;
      text = std::string_view(start, static_cast<size_t>(p_ - 1 - start));
      return true;
    }
    buf_.assign(start, static_cast<size_t>(p_ - start));
    for (;;) {
      if (p_ == end_) return fail(rapidjson::kParseErrorStringMissQuotationMark);
      char c = *p_;
      if (c == '"') {
        ++p_;
        break;
      }
      if (c != '\\') return fail(rapidjson::kParseErrorStringInvalidEncoding);  // raw control character
      const char* esc = p_;
      ++p_;
      if (p_ == end_) return fail(rapidjson::kParseErrorStringMissQuotationMark);
      switch (*p_++) {
        case '"': buf_ += '"'; break;
        case '\\': buf_ += '\\'; break;
        case '/': buf_ += '/'; break;
        case 'b': buf_ += '\b'; break;
        case 'f': buf_ += '\f'; break;
        case 'n': buf_ += '\n'; break;
        case 'r': buf_ += '\r'; break;
        case 't': buf_ += '\t'; break;
        case 'u': {
          int32_t r = hex4();
          if (r < 0) return false;
          if (r >= 0xD800 && r < 0xDC00) {
            // A high surrogate pairs only with an immediately following \u low surrogate.
            if (end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
              const char* save = p_;
              p_ += 2;
              int32_t lo = hex4();
              if (lo < 0) return false;
              if (lo >= 0xDC00 && lo < 0xE000) {
                r = 0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00);
              } else {
                p_ = save;  // not a pair: the second escape is decoded on its own
                r = 0xFFFD;
              }
            } else {
              r = 0xFFFD;
            }
          } else if (r >= 0xDC00 && r < 0xE000) {
            r = 0xFFFD;
          }
          append_utf8(buf_, static_cast<uint32_t>(r));
          break;
        }
        default:
          return fail(rapidjson::kParseErrorStringEscapeInvalid, esc);
      }
      const char* run = p_;
      scan_plain(high_bytes);
      buf_.append(run, static_cast<size_t>(p_ - run));
    }
    text = buf_;
    return true;
  }

  // Advances over string bytes that need no decoding: up to the closing quote, a backslash, a raw control
  // character (an error) or the end. Notes whether any byte is outside ASCII (UTF-8 to check).
  void scan_plain(bool& high_bytes) {
#if defined(__SSE2__)
    // Sixteen bytes at a time (SSE2, in every x86-64): a quote, a backslash or a byte below 0x20 (the unsigned
    // max with 0x1F is 0x1F only for those) stops the run; the bytes' top bits tell whether any is not ASCII.
    // Most strings of a JSON document end within one such step.
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1F);
    while (end_ - p_ >= 16) {
      const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
      const __m128i stops = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, backslash)),
                                         _mm_cmpeq_epi8(_mm_max_epu8(w, control), control));
      const unsigned stop = static_cast<unsigned>(_mm_movemask_epi8(stops));
      const unsigned high = static_cast<unsigned>(_mm_movemask_epi8(w));
      if (stop) {
        const int skip = __builtin_ctz(stop);
        high_bytes |= (high & ((1u << skip) - 1)) != 0;
        p_ += skip;
        return;
      }
      high_bytes |= high != 0;
      p_ += 16;
    }
#endif
    // Eight bytes at a time while none of them ends the run (SWAR: a byte-wise test on one 64-bit word).
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    auto has_zero_byte = [](uint64_t w) { return (w - kOnes) & ~w & kHighs; };
    uint64_t seen_words = 0;
    while (std::endian::native == std::endian::little && end_ - p_ >= 8) {
      uint64_t w;
      std::memcpy(&w, p_, 8);
      // A byte below 0x20 (has_zero_byte's trick on w - 0x20 per byte; bytes >= 0x80 never trigger it), a
      // quote, or a backslash.
      uint64_t stop = ((w - kOnes * 0x20) & ~w & kHighs) | has_zero_byte(w ^ (kOnes * '"')) |
                      has_zero_byte(w ^ (kOnes * '\\'));
      if (stop) {
        // The lowest flagged byte is the first stop (the tricks' borrows only flag bytes above a true match;
        // words are read little-endian, so the lowest byte is the first in the text).
        const int skip = __builtin_ctzll(stop) >> 3;
        seen_words |= w & ((uint64_t{1} << (skip * 8)) - 1);  // skip < 8: the shift stays below 64
        p_ += skip;
        high_bytes |= (seen_words & kHighs) != 0;
        return;
      }
      seen_words |= w;
      p_ += 8;
    }
    high_bytes |= (seen_words & kHighs) != 0;
    unsigned char seen = 0;
    while (p_ < end_) {
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"' || c == '\\' || c < 0x20) break;
      seen |= c;
      ++p_;
    }
    high_bytes |= (seen & 0x80) != 0;
  }

  // Inline where it is called (between every two tokens): most calls find nothing to skip and cost a compare.
  [[gnu::always_inline]] void skip_ws() {
    if (p_ < end_ && static_cast<unsigned char>(*p_) > ' ') return;
    skip_ws_run();
  }

  void skip_ws_run() {
    while (p_ < end_) {
      const char c = *p_;
      if (static_cast<unsigned char>(c) > ' ') return;
      if (c == '\n') {
        ++p_;
        skip_indentation();
      } else if (c == ' ' || c == '\r' || c == '\t') {
        ++p_;
      } else {
        return;
      }
    }
  }

  // The spaces that indent the line after a newline in pretty-printed JSON, eight at a time (then the loop
  // above takes the rest).
  void skip_indentation() {
    constexpr uint64_t kSpaces = 0x2020202020202020ull;
    while (std::endian::native == std::endian::little && end_ - p_ >= 8) {
      uint64_t w;
      std::memcpy(&w, p_, 8);
      const uint64_t other = w ^ kSpaces;  // nonzero bytes: not a space
      if (other) {
        p_ += __builtin_ctzll(other) >> 3;
        return;
      }
      p_ += 8;
    }
  }

  bool fail(rapidjson::ParseErrorCode code, const char* at = nullptr) {
    code_ = code;
    err_offset_ = static_cast<size_t>((at ? at : p_) - begin_);
    return false;
  }
  bool fail_custom(std::string why) {
    custom_ = std::move(why);
    err_offset_ = static_cast<size_t>(p_ - begin_);
    return false;
  }

  // Gives the pages of text already read back to the system (see parse_packed(std::string&&)): everything read
  // so far has been copied into values, and the reader never looks back.
  void release_consumed() {
    constexpr uintptr_t kPage = 4096;
    auto from = (reinterpret_cast<uintptr_t>(released_) + kPage - 1) & ~(kPage - 1);
    auto to = reinterpret_cast<uintptr_t>(p_) & ~(kPage - 1);
    if (to > from) {
      ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
      released_ = reinterpret_cast<const char*>(to);
    }
    release_at_ = p_ + kReleaseStep;
  }

 public:
  // Release consumed text every kReleaseStep bytes. Only for text the reader owns: the pages read become zero.
  void release_text_as_read() {
    released_ = begin_;
    release_at_ = begin_ + kReleaseStep;
  }

 private:
  static constexpr size_t kReleaseStep = size_t{4} << 20;
  const char* begin_;
  const char* p_;
  const char* end_;
  const char* release_at_ = reinterpret_cast<const char*>(UINTPTR_MAX);
  const char* released_ = nullptr;
  size_t max_depth_;
  Sink& sink_;
  std::vector<Frame> frames_;
  // kProject: the value about to be read is dropped, or built with keep_ naming the part of it to build (null:
  // all of it).
  bool drop_ = false;
  const Projection* keep_;
  std::string buf_;
  rapidjson::ParseErrorCode code_ = rapidjson::kParseErrorNone;
  std::string custom_;
  size_t err_offset_ = 0;
};

// ---- writing ----

constexpr char kHex[] = "0123456789abcdef";

// Go's encoding/json string encoder (encodeState.string), byte for byte.
void append_string(std::string_view s, std::string& out, bool escape_html) {
  out += '"';
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t start = 0;  // start of the pending run of bytes copied verbatim
  size_t i = 0;
  auto flush = [&](size_t upto) {
    if (upto > start) out.append(s.data() + start, upto - start);
  };
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      bool safe = c >= 0x20 && c != '"' && c != '\\' && !(escape_html && (c == '<' || c == '>' || c == '&'));
      if (safe) {
        ++i;
        continue;
      }
      flush(i);
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
      }
      ++i;
      start = i;
      continue;
    }
    int32_t r;
    size_t k = decode_rune(p + i, n - i, r);
    if (r < 0) {
      flush(i);
      out += "\\ufffd";
      i += k;
      start = i;
      continue;
    }
    if (r == 0x2028 || r == 0x2029) {
      // Valid JSON but not valid JavaScript; Go escapes them unconditionally.
      flush(i);
      out += r == 0x2028 ? "\\u2028" : "\\u2029";
      i += k;
      start = i;
      continue;
    }
    i += k;
  }
  flush(n);
  out += '"';
}

class Writer {
 public:
  Writer(std::string& out, const WriteOptions& opts) : out_(out), opts_(opts) {}

  void value(const Value& v, int depth) {
    uint32_t ref;
    if (const packed::Doc* d = packed::doc_of(v, ref)) {
      packed_value(d, ref, depth);
      return;
    }
    switch (v.kind()) {
      case Kind::Null: out_ += "null"; return;
      case Kind::Boolean: out_ += v.as_bool() ? "true" : "false"; return;
      case Kind::Number: number::append_format(v, out_); return;
      case Kind::String: append_string(v.as_string(), out_, opts_.escape_html); return;
      case Kind::Array: list(v.as_array(), depth); return;
      case Kind::Set: list(v.as_set(), depth); return;  // OPA prints sets as (sorted) arrays
      case Kind::Object: object(v.as_object(), depth); return;
    }
  }

 private:
  void newline(int depth) {
    if (!opts_.pretty) return;
    out_ += '\n';
    out_.append(static_cast<size_t>(depth) * 2, ' ');
  }

  void list(const std::vector<Value>& xs, int depth) {
    out_ += '[';
    if (xs.empty()) {
      out_ += ']';
      return;
    }
    for (size_t i = 0; i < xs.size(); ++i) {
      if (i > 0) out_ += ',';
      newline(depth + 1);
      value(xs[i], depth + 1);
    }
    newline(depth);
    out_ += ']';
  }

  // Writes straight from a packed document, building nothing (as_array/as_object would build and cache every
  // container printed). Packed objects have string keys only, sorted by bytes as Go sorts map keys.
  void packed_value(const packed::Doc* d, uint32_t ref, int depth) {
    uint32_t payload = packed::payload_of(ref);
    switch (packed::tag_of(ref)) {
      case packed::kString:
        append_string(d->str(payload), out_, opts_.escape_html);
        return;
      case packed::kArray: {
        const uint32_t* w = d->words() + payload;
        out_ += '[';
        if (w[0] == 0) {
          out_ += ']';
          return;
        }
        for (uint32_t i = 0; i < w[0]; ++i) {
          if (i > 0) out_ += ',';
          newline(depth + 1);
          packed_value(d, w[2 + i], depth + 1);
        }
        newline(depth);
        out_ += ']';
        return;
      }
      case packed::kObject: {
        const uint32_t* w = d->words() + payload;
        uint32_t n = d->shape_size(w[0]);
        const uint32_t* keys = d->shape_keys(w[0]);
        out_ += '{';
        if (n == 0) {
          out_ += '}';
          return;
        }
        for (uint32_t i = 0; i < n; ++i) {
          if (i > 0) out_ += ',';
          newline(depth + 1);
          append_string(d->str(keys[i]), out_, opts_.escape_html);
          out_ += ':';
          if (opts_.pretty) out_ += ' ';
          packed_value(d, w[2 + i], depth + 1);
        }
        newline(depth);
        out_ += '}';
        return;
      }
      default:
        value(packed::value_of(const_cast<packed::Doc*>(d), ref), depth);  // a scalar: cheap, nothing cached
    }
  }

  void member(std::string_view key, const Value& v, bool first, int depth) {
    if (!first) out_ += ',';
    newline(depth + 1);
    append_string(key, out_, opts_.escape_html);
    out_ += ':';
    if (opts_.pretty) out_ += ' ';
    value(v, depth + 1);
  }

  void object(const std::vector<ObjectEntry>& es, int depth) {
    out_ += '{';
    if (es.empty()) {
      out_ += '}';
      return;
    }
    bool all_strings = std::all_of(es.begin(), es.end(), [](const ObjectEntry& e) { return e.first.is_string(); });
    if (all_strings) {
      // Already sorted by byte order, which is the order Go gives map[string] keys.
      for (size_t i = 0; i < es.size(); ++i) member(es[i].first.as_string(), es[i].second, i == 0, depth);
    } else {
      // OPA turns a non-string key into its JSON text (json.Encoder, HTML-escaped) and Go then sorts the map's
      // keys as strings; when two keys collide (1 and "1") the later one in OPA's order overwrites.
      std::vector<std::pair<std::string, const Value*>> keyed;
      keyed.reserve(es.size());
      for (const auto& [k, v] : es) {
        if (k.is_string()) {
          keyed.emplace_back(k.as_string(), &v);
        } else {
          std::string text;
          Writer(text, WriteOptions{false, true}).value(k, 0);
          keyed.emplace_back(std::move(text), &v);
        }
      }
      std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      bool first = true;
      for (size_t i = 0; i < keyed.size(); ++i) {
        if (i + 1 < keyed.size() && keyed[i + 1].first == keyed[i].first) continue;
        member(keyed[i].first, *keyed[i].second, first, depth);
        first = false;
      }
    }
    newline(depth);
    out_ += '}';
  }

  std::string& out_;
  const WriteOptions& opts_;
};

}  // namespace

ParseResult parse(std::string_view text, size_t max_depth) {
  ValueSink sink(text.size());
  return Reader<ValueSink>(text, max_depth, sink).run();
}

ParseResult parse(std::string_view text, const Projection& keep, size_t max_depth) {
  ValueSink sink(text.size());
  return Reader<ValueSink, /*kProject=*/true>(text, max_depth, sink, &keep).run();
}

const Projection::Member* Projection::member(std::string_view key) const {
  // A handful of members at most, as a policy names them: a scan that rejects on length first.
  for (const Member& m : members)
    if (bytes::same_string(m.key, key)) return &m;
  return nullptr;
}

namespace {

// Up to this size a document can never outgrow the packed format's 32-bit offsets (the tape takes at most about
// 1.5 words per byte of text, 2^29 words at most), so the text is never needed again for a fallback.
constexpr size_t kSurelyPackable = size_t{256} << 20;

ParseResult pack(std::string_view text, size_t max_depth, bool release_text) {
  // A scalar document gains nothing from packing.
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || (text[first] != '{' && text[first] != '[')) return parse(text, max_depth);
  ParseResult result;
  {
    packed::Builder builder;
    Reader<packed::Builder> reader(text, max_depth, builder);
    if (release_text && text.size() <= kSurelyPackable) reader.release_text_as_read();
    result = reader.run();
    if (result.ok && builder.overflowed()) result.ok = false;
    else return result;
  }
  return parse(text, max_depth);  // too big for 32-bit offsets: ordinary Values
}

}  // namespace

ParseResult parse_packed(std::string_view text, size_t max_depth) { return pack(text, max_depth, false); }

ParseResult parse_packed(std::string&& text, size_t max_depth) {
  std::string owned = std::move(text);
  // Releasing pages only pays (and is only page-safe to bother with) for big texts.
  return pack(owned, max_depth, owned.size() >= (size_t{8} << 20));
}

void append(const Value& v, std::string& out, const WriteOptions& opts) { Writer(out, opts).value(v, 0); }

std::string write(const Value& v, const WriteOptions& opts) {
  std::string out;
  append(v, out, opts);
  return out;
}

}  // namespace rego::json
