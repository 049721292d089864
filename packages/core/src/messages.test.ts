import { describe, expect, it } from "vitest";
import { ADD_FAILURE_REASONS, ErrorMessage, FailureReason, REMOVE_FAILURE_REASONS } from "./messages";

// These texts are what API clients match on; changing one is a breaking change of the contract.
describe("messages", () => {
  it("keep the failure reasons of the contract", () => {
    expect(FailureReason).toEqual({
      invalidFormat: "Invalid phone number format",
      alreadyBlocked: "Number already in block list",
      notFound: "Number not found in block list",
      duplicateInRequest: "Duplicate number in request",
    });
    expect(ADD_FAILURE_REASONS).toEqual([
      "Invalid phone number format",
      "Number already in block list",
      "Duplicate number in request",
    ]);
    expect(REMOVE_FAILURE_REASONS).toEqual([
      "Invalid phone number format",
      "Number not found in block list",
      "Duplicate number in request",
    ]);
  });

  it("answer a missing and an invalid key alike", () => {
    expect(ErrorMessage.missingKey).toBe(ErrorMessage.invalidKey);
  });
});
