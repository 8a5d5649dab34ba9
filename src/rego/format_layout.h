// Internal to format.cpp: the formatter's output buffer, indentation and the queue of source comments still to
// be written. Mirrors the layout model of OPA's formatter: a comment on an earlier row than the node being
// written is printed on its own line(s) before it; a comment on the node's own row is held and appended at the
// end of the current output line ("trailing" comment).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace rego::fmt_detail {

struct Comment {
  uint32_t row = 0;
  std::string text;  // "#..." with trailing whitespace removed
};

class Layout {
 public:
  explicit Layout(std::deque<Comment> comments) : pending_(std::move(comments)) {}

  void write(const std::string& s) { buf_ += s; }
  void start_line() {
    inline_ = true;
    buf_.append(static_cast<size_t>(level_), '\t');
  }
  void end_line() {
    inline_ = false;
    if (!trailing_.empty() && !delay_) {
      for (const auto& c : trailing_) buf_ += " " + c.text;
      trailing_.clear();
    }
    delay_ = false;
    buf_ += "\n";
  }
  void blank_line() {
    if (inline_) end_line();
    buf_ += "\n";
  }
  void write_line(const std::string& s) {
    if (!inline_) start_line();
    write(s);
    end_line();
  }
  void up() { ++level_; }
  void down() {
    if (level_ > 0) --level_;
  }
  bool is_inline() const { return inline_; }
  // The trailing comment registered for the opening line of a multi-line collection stays until the line
  // after the collection's first line ends (as OPA's delayBeforeEnd).
  void delay_trailing() { delay_ = true; }
  bool has_trailing() const { return !trailing_.empty(); }

  // Writes the comments on rows before `row` as lines, and holds one on `row` as the trailing comment.
  void insert_comments(uint32_t row) {
    if (row == 0) return;
    std::vector<Comment> before;
    while (!pending_.empty() && pending_.front().row < row) {
      before.push_back(pending_.front());
      pending_.pop_front();
    }
    write_comments(before);
    if (!before.empty() && row - before.back().row > 1) blank_line();
    if (!pending_.empty() && pending_.front().row == row) {
      trailing_.push_back(pending_.front());
      pending_.pop_front();
    }
  }
  // Comments strictly between two rows, e.g. inside a collection written on one line.
  bool has_comment_between(uint32_t after_row, uint32_t before_row) const {
    for (const auto& c : pending_) {
      if (c.row > after_row && c.row < before_row) return true;
      if (c.row >= before_row) break;
    }
    return false;
  }
  // Forgets held trailing comments on rows [from, to): they are part of source text written verbatim.
  void drop_trailing_within(uint32_t from, uint32_t to) {
    std::erase_if(trailing_, [&](const Comment& c) { return c.row >= from && c.row < to; });
  }
  // Drops the comments on rows below `row` (they were written as part of verbatim source text).
  void skip_comments_before(uint32_t row) {
    while (!pending_.empty() && pending_.front().row < row) pending_.pop_front();
  }
  const std::deque<Comment>& pending() const { return pending_; }
  void replace_pending(std::deque<Comment> cs) { pending_ = std::move(cs); }

  void write_comments(const std::vector<Comment>& cs) {
    bool in_metadata = false;
    for (size_t i = 0; i < cs.size(); ++i) {
      bool metadata = is_metadata(cs[i].text);
      if (i > 0) {
        uint32_t gap = cs[i].row - cs[i - 1].row;
        if (gap > 1) {
          blank_line();
          in_metadata = false;
        } else if (gap == 1 && in_metadata && metadata) {
          blank_line();  // two METADATA blocks back to back stay two blocks
        }
      }
      if (metadata) in_metadata = true;
      write_line(cs[i].text);
    }
  }
  // The remaining comments (after the last rule) and the final newline.
  std::string finish() {
    std::vector<Comment> rest(pending_.begin(), pending_.end());
    pending_.clear();
    write_comments(rest);
    if (inline_) end_line();
    while (!buf_.empty() && buf_.back() == '\n') buf_.pop_back();
    buf_ += "\n";
    return std::move(buf_);
  }

 private:
  static bool is_metadata(const std::string& text) {
    size_t i = 1;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    return text.compare(i, std::string::npos, "METADATA") == 0;
  }

  std::string buf_;
  int level_ = 0;
  bool inline_ = false;
  bool delay_ = false;
  std::vector<Comment> trailing_;
  std::deque<Comment> pending_;
};

}  // namespace rego::fmt_detail
