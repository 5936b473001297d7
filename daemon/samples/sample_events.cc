#include "samples/sample_events.h"

#include <array>
#include <cstdio>

namespace opsync {
namespace {

constexpr std::array kGiven = {"Jane",      "Ravi",   "Ana",   "Tomasz", "Aiko",
                               "Lucas",     "Fatima", "Noah",  "Chen",   "Maria",
                               "Oluwaseun", "Ingrid", "Diego", "Priya",  "Kofi"};
constexpr std::array kFamily = {"Doe",   "Patel", "Silva",  "Nowak",   "Tanaka", "Martin", "Haddad",
                                "Smith", "Wei",   "Garcia", "Adeyemi", "Larsen", "Lopez",  "Rao"};
constexpr std::array kTeams = {"support", "sales", "billing", "retention", "vip", "onboarding"};
constexpr std::array kLanguages = {"en", "pt", "es", "fr", "de"};
constexpr std::array kZones = {"Europe/Lisbon",    "America/Sao_Paulo", "Europe/Berlin",
                               "America/New_York", "Asia/Tokyo",        "Europe/Paris"};
constexpr std::array kLocales = {"en-US", "pt-BR", "es-ES", "fr-FR", "de-DE", "en-GB"};

template <typename A>
const char* pick(std::mt19937_64& rng, const A& a) {
  return a[rng() % a.size()];
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string sample_operator_id(std::size_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "emp-%06zu", index);
  return buf;
}

SampleEventStream::SampleEventStream(SampleOptions options)
    : options_(std::move(options)),
      rng_(options_.seed),
      revisions_(options_.operators, 0),
      active_(options_.operators, false) {}

SampleMessage SampleEventStream::envelope(const std::string& type, std::size_t index,
                                          const std::string& mode,
                                          const std::string& attributes_json) {
  const std::string id = sample_operator_id(index);
  const std::int64_t revision = ++revisions_[index];
  const std::string event_id = options_.source + "-" + std::to_string(produced_);
  std::string data = "{\"operator_id\":\"" + id + "\",\"revision\":" + std::to_string(revision);
  if (!mode.empty()) data += ",\"mode\":\"" + mode + "\"";
  if (!attributes_json.empty()) data += ",\"attributes\":" + attributes_json;
  data += "}";
  SampleMessage m;
  m.key = id;
  const bool binary = std::uniform_real_distribution<>(0, 1)(rng_) < options_.binary_share;
  if (binary) {
    m.value = data;
    m.headers = {
        {"ce_specversion", "1.0"},       {"ce_id", event_id}, {"ce_source", options_.source},
        {"ce_type", "operator." + type}, {"ce_subject", id},  {"content-type", "application/json"}};
  } else {
    m.value = "{\"specversion\":\"1.0\",\"id\":\"" + event_id + "\",\"source\":\"" +
              options_.source + "\",\"type\":\"operator." + type + "\",\"subject\":\"" + id +
              "\",\"data\":" + data + "}";
  }
  return m;
}

SampleMessage SampleEventStream::hire(std::size_t index) {
  const std::string given = pick(rng_, kGiven);
  const std::string family = pick(rng_, kFamily);
  const std::string id = sample_operator_id(index);
  char phone[32];
  std::snprintf(phone, sizeof phone, "+1555%07zu", index % 10000000);
  std::string attrs =
      "{\"given_name\":\"" + json_escape(given) + "\",\"family_name\":\"" + json_escape(family) +
      "\",\"display_name\":\"" + json_escape(given + " " + family) + "\",\"email\":\"" + id +
      "@example.com\",\"phone\":\"" + phone +
      "\",\"active\":true,\"role\":\"operator\",\"teams\":[\"" + pick(rng_, kTeams) +
      "\"],\"languages\":[\"" + pick(rng_, kLanguages) + "\"],\"locale\":\"" +
      pick(rng_, kLocales) + "\",\"timezone\":\"" + pick(rng_, kZones) +
      "\",\"max_concurrent_chats\":" + std::to_string(1 + rng_() % 5) +
      ",\"channels\":{\"chat\":true,\"voice\":" + ((rng_() % 2) ? "true" : "false") +
      ",\"video\":false}}";
  active_[index] = true;
  return envelope("created", index, "snapshot", attrs);
}

SampleMessage SampleEventStream::change(std::size_t index) {
  std::string attrs;
  switch (rng_() % 5) {
    case 0:
      attrs = std::string("{\"teams\":[\"") + pick(rng_, kTeams) + "\"]}";
      break;
    case 1: {
      char phone[32];
      std::snprintf(phone, sizeof phone, "+44 20 7946 %04u", static_cast<unsigned>(rng_() % 10000));
      attrs = std::string("{\"phone\":\"") + phone + "\"}";
      break;
    }
    case 2:
      attrs = "{\"max_concurrent_chats\":" + std::to_string(1 + rng_() % 8) + "}";
      break;
    case 3:
      attrs = std::string("{\"role\":\"") + ((rng_() % 4) ? "operator" : "manager") + "\"}";
      break;
    default:
      attrs = std::string("{\"family_name\":\"") + pick(rng_, kFamily) + "\"}";
      break;
  }
  return envelope("updated", index, "patch", attrs);
}

SampleMessage SampleEventStream::terminate(std::size_t index) {
  active_[index] = false;
  return envelope("deleted", index, "", "");
}

SampleMessage SampleEventStream::invalid() {
  const std::size_t index = rng_() % options_.operators;
  const std::string id = sample_operator_id(index);
  SampleMessage m;
  m.key = id;
  m.valid = false;
  switch (rng_() % 4) {
    case 0:
      m.value = "{\"specversion\":\"1.0\",\"id\":\"broken";  // truncated JSON
      break;
    case 1:
      m.value = "{\"specversion\":\"1.0\",\"id\":\"bad-phone-" + std::to_string(produced_) +
                "\",\"source\":\"" + options_.source +
                "\",\"type\":\"operator.updated\",\"data\":{"
                "\"operator_id\":\"" +
                id + "\",\"attributes\":{\"phone\":\"call me maybe\"}}}";
      break;
    case 2:
      m.value = "{\"specversion\":\"1.0\",\"id\":\"bad-type-" + std::to_string(produced_) +
                "\",\"source\":\"" + options_.source +
                "\",\"type\":\"operator.promoted\",\"data\":{"
                "\"operator_id\":\"" +
                id + "\"}}";
      break;
    default:
      m.value = "{\"specversion\":\"1.0\",\"id\":\"bad-email-" + std::to_string(produced_) +
                "\",\"source\":\"" + options_.source +
                "\",\"type\":\"operator.updated\",\"data\":{"
                "\"operator_id\":\"" +
                id + "\",\"attributes\":{\"email\":\"not-an-email\"}}}";
      break;
  }
  return m;
}

SampleMessage SampleEventStream::next() {
  SampleMessage m;
  if (produced_ < options_.operators) {
    m = hire(produced_);
  } else if (std::uniform_real_distribution<>(0, 1)(rng_) < options_.invalid_share) {
    m = invalid();
  } else {
    const std::size_t index = rng_() % options_.operators;
    const unsigned roll = rng_() % 100;
    if (!active_[index]) {
      m = hire(index);
    } else if (roll < 3) {
      m = terminate(index);
    } else {
      m = change(index);
    }
  }
  ++produced_;
  return m;
}

}  // namespace opsync
