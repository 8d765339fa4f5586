#include "tests/support/ns_json.h"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace meshfwd::test {

class JsonParser {
 public:
  explicit JsonParser(const std::string& text) : text_(text) {}

  JsonValue document() {
    JsonValue v = value();
    skipSpace();
    if (pos_ != text_.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(pos_) + " in: " + text_.substr(0, 200));
  }

  void skipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  char peek() {
    skipSpace();
    if (pos_ >= text_.size()) fail("unexpected end");
    return text_[pos_];
  }

  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  bool literal(const char* word) {
    std::string w(word);
    if (text_.compare(pos_, w.size(), w) != 0) return false;
    pos_ += w.size();
    return true;
  }

  JsonValue value() {
    JsonValue v;
    char c = peek();
    if (c == '{') {
      v.value_ = std::make_shared<JsonValue::Object>(object());
    } else if (c == '[') {
      v.value_ = std::make_shared<JsonValue::Array>(array());
    } else if (c == '"') {
      v.value_ = string();
    } else if (literal("true")) {
      v.value_ = true;
    } else if (literal("false")) {
      v.value_ = false;
    } else if (literal("null")) {
      v.value_ = std::monostate{};
    } else {
      number(v);
    }
    return v;
  }

  JsonValue::Object object() {
    JsonValue::Object out;
    expect('{');
    if (peek() == '}') {
      ++pos_;
      return out;
    }
    while (true) {
      if (peek() != '"') fail("expected a key");
      std::string key = string();
      expect(':');
      out[key] = value();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}');
      return out;
    }
  }

  JsonValue::Array array() {
    JsonValue::Array out;
    expect('[');
    if (peek() == ']') {
      ++pos_;
      return out;
    }
    while (true) {
      out.push_back(value());
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect(']');
      return out;
    }
  }

  std::string string() {
    expect('"');
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          // The CLI only escapes control characters this way.
          if (pos_ + 4 > text_.size()) fail("short \\u escape");
          out += static_cast<char>(std::strtol(text_.substr(pos_, 4).c_str(), nullptr, 16));
          pos_ += 4;
          break;
        }
        default: out += e;
      }
    }
    if (pos_ >= text_.size()) fail("unterminated string");
    ++pos_;
    return out;
  }

  void number(JsonValue& v) {
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '-' ||
                                   text_[pos_] == '+' || text_[pos_] == '.' || text_[pos_] == 'e' ||
                                   text_[pos_] == 'E')) {
      ++pos_;
    }
    std::string token = text_.substr(start, pos_ - start);
    if (token.empty()) fail("unexpected character");
    if (token.find_first_of("-.eE") == std::string::npos) {
      v.value_ = static_cast<uint64_t>(std::stoull(token));
    } else {
      v.value_ = std::stod(token);
    }
  }

  const std::string& text_;
  size_t pos_ = 0;
};

JsonValue JsonValue::parse(const std::string& text) { return JsonParser(text).document(); }

const JsonValue::Object& JsonValue::object() const {
  if (!isObject()) throw std::runtime_error("JSON: expected an object");
  return *std::get<std::shared_ptr<Object>>(value_);
}

const JsonValue::Array& JsonValue::array() const {
  if (!isArray()) throw std::runtime_error("JSON: expected an array");
  return *std::get<std::shared_ptr<Array>>(value_);
}

const std::string& JsonValue::string() const {
  if (!std::holds_alternative<std::string>(value_)) throw std::runtime_error("JSON: expected a string");
  return std::get<std::string>(value_);
}

uint64_t JsonValue::u64() const {
  if (!std::holds_alternative<uint64_t>(value_)) throw std::runtime_error("JSON: expected an unsigned integer");
  return std::get<uint64_t>(value_);
}

double JsonValue::number() const {
  if (std::holds_alternative<uint64_t>(value_)) return static_cast<double>(std::get<uint64_t>(value_));
  if (!std::holds_alternative<double>(value_)) throw std::runtime_error("JSON: expected a number");
  return std::get<double>(value_);
}

bool JsonValue::boolean() const {
  if (!std::holds_alternative<bool>(value_)) throw std::runtime_error("JSON: expected true or false");
  return std::get<bool>(value_);
}

const JsonValue& JsonValue::at(const std::string& key) const {
  const auto& o = object();
  auto it = o.find(key);
  if (it == o.end()) throw std::runtime_error("JSON: no key \"" + key + "\"");
  return it->second;
}

bool JsonValue::has(const std::string& key) const { return isObject() && object().count(key) != 0; }

}  // namespace meshfwd::test
