// The text of a feedback row's state in the stores' `state` column
// (pending|sent|rejected|superseded|not_applicable), both ways.
//
//   StateText(v1::FEEDBACK_SENT) == "sent"
//   StateOf("sent") == v1::FEEDBACK_SENT
#ifndef CLEARMATCH_REVIEW_FEEDBACK_STATE_TEXT_H_
#define CLEARMATCH_REVIEW_FEEDBACK_STATE_TEXT_H_

#include <string>

#include "clearmatch/v1/review.pb.h"

namespace clearmatch::review_internal {

// "" for UNSPECIFIED.
inline const char* StateText(v1::FeedbackState state) {
  switch (state) {
    case v1::FEEDBACK_PENDING:
      return "pending";
    case v1::FEEDBACK_SENT:
      return "sent";
    case v1::FEEDBACK_REJECTED:
      return "rejected";
    case v1::FEEDBACK_SUPERSEDED:
      return "superseded";
    case v1::FEEDBACK_NOT_APPLICABLE:
      return "not_applicable";
    default:
      return "";
  }
}

// UNSPECIFIED for an unknown text.
inline v1::FeedbackState StateOf(const std::string& text) {
  for (v1::FeedbackState state :
       {v1::FEEDBACK_PENDING, v1::FEEDBACK_SENT, v1::FEEDBACK_REJECTED,
        v1::FEEDBACK_SUPERSEDED, v1::FEEDBACK_NOT_APPLICABLE}) {
    if (text == StateText(state)) return state;
  }
  return v1::FEEDBACK_STATE_UNSPECIFIED;
}

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_FEEDBACK_STATE_TEXT_H_
