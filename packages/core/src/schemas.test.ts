import { describe, expect, it } from "vitest";
import { FailureReason, SUCCESS_MESSAGE } from "./messages";
import {
  addResponseSchema,
  blockListResponseSchema,
  errorResponseSchema,
  organizationsResponseSchema,
  removeResponseSchema,
} from "./schemas";

describe("response schemas", () => {
  it("accept a block list page in E.164", () => {
    const page = { blockList: ["+14155552671", "+442079460958"], count: 5, nextCursor: "c2" };
    expect(blockListResponseSchema.parse(page)).toEqual(page);
  });

  it("refuse a block list with a number not in E.164", () => {
    expect(blockListResponseSchema.safeParse({ blockList: ["+1 415 555 2671"], count: 1 }).success).toBe(
      false,
    );
  });

  it("refuse a negative or fractional count", () => {
    expect(blockListResponseSchema.safeParse({ blockList: [], count: -1 }).success).toBe(false);
    expect(blockListResponseSchema.safeParse({ blockList: [], count: 1.5 }).success).toBe(false);
  });

  it("accept an add answer with the add reasons only", () => {
    const answer = {
      message: SUCCESS_MESSAGE,
      added: ["+14155552671"],
      failed: [
        { number: "x", reason: FailureReason.invalidFormat },
        { number: "+442079460958", reason: FailureReason.alreadyBlocked },
        { number: "+1 415 555 2671", reason: FailureReason.duplicateInRequest },
      ],
    };
    expect(addResponseSchema.parse(answer)).toEqual(answer);
    expect(
      addResponseSchema.safeParse({
        ...answer,
        failed: [{ number: "+442079460958", reason: FailureReason.notFound }],
      }).success,
    ).toBe(false);
  });

  it("accept a remove answer with the remove reasons only", () => {
    const answer = {
      message: SUCCESS_MESSAGE,
      removed: [],
      failed: [
        { number: "x", reason: FailureReason.invalidFormat },
        { number: "+442079460958", reason: FailureReason.notFound },
        { number: "+1 415 555 2671", reason: FailureReason.duplicateInRequest },
      ],
    };
    expect(removeResponseSchema.parse(answer)).toEqual(answer);
    expect(
      removeResponseSchema.safeParse({
        ...answer,
        failed: [{ number: "+442079460958", reason: FailureReason.alreadyBlocked }],
      }).success,
    ).toBe(false);
  });

  it("accept an error with and without issues", () => {
    const withIssues = {
      error: "Invalid request body",
      issues: [{ path: "uid", message: "uid is required" }],
    };
    expect(errorResponseSchema.parse(withIssues)).toEqual(withIssues);
    expect(errorResponseSchema.parse({ error: "Internal server error" })).toEqual({
      error: "Internal server error",
    });
  });

  it("accept organizations with their agents", () => {
    const answer = {
      organizations: [{ id: "org_1", name: "Acme", agents: [{ id: "agent_1", name: "Front desk" }] }],
    };
    expect(organizationsResponseSchema.parse(answer)).toEqual(answer);
  });
});
