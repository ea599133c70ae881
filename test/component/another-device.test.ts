import { describe, expect, it } from "vitest";
import { render } from "vitest-browser-svelte";
import AnotherDevice from "../../client/components/AnotherDevice.svelte";
import {
  adoptMemberKey,
  loadSeat,
  personalLink,
  saveSeat,
  takeMemberKeyFromFragment,
} from "../../client/lib/seat.ts";

const key = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde";

describe("use on another device", () => {
  it("shows the personal link, its QR code and the warning only when asked", async () => {
    const notes: string[] = [];
    const screen = await render(AnotherDevice, {
      tableId: "tbl_123",
      memberKey: key,
      onCopied: (t: string) => notes.push(t),
    });
    const dialog = screen.getByRole("dialog", { name: "Use on another device" });
    await expect.element(dialog).not.toBeInTheDocument();

    await screen.getByRole("button", { name: "Use on another device" }).click();
    await expect.element(dialog).toBeVisible();
    await expect
      .element(dialog.getByRole("textbox", { name: "Your personal link" }))
      .toHaveValue(`${location.origin}/t/tbl_123#member=${key}`);
    const qr = dialog.getByRole("img", { name: "QR code of your personal link" });
    await expect.element(qr).toBeVisible();
    expect(qr.element().tagName.toLowerCase()).toBe("svg");
    expect(qr.element().querySelector("path")?.getAttribute("d")).toMatch(/^M\d+ \d+h\d+v1h-\d+z/);
    await expect
      .element(dialog.getByText("Anyone with this link is you at this table. Don't share it."))
      .toBeVisible();
    await expect
      .element(dialog.getByRole("button", { name: "Copy your personal link" }))
      .toBeVisible();

    await dialog.getByRole("button", { name: "Close" }).click();
    await expect.element(dialog).not.toBeInTheDocument();
  });

  it("makes links in the fragment style of the facilitator link", () => {
    expect(personalLink("https://rt.example", "tbl_123", key)).toBe(
      `https://rt.example/t/tbl_123#member=${key}`,
    );
  });

  it("takes the key out of the address, and this browser becomes that member", () => {
    const replaced: string[] = [];
    const at = { hash: `#member=${key}`, pathname: "/t/tbl_9", search: "" } as Location;
    const hist = {
      state: null,
      replaceState: (_s: unknown, _t: string, url: string) => replaced.push(url),
    } as unknown as History;
    expect(takeMemberKeyFromFragment(at, hist)).toBe(key);
    expect(replaced).toEqual(["/t/tbl_9"]);

    saveSeat("tbl_9", { name: "Laptop Ana", memberKey: "x".repeat(43), facilitatorKey: "fk" });
    const seat = adoptMemberKey("tbl_9", key);
    expect(seat).toEqual({ name: "", memberKey: key, facilitatorKey: "fk" });
    expect(loadSeat("tbl_9").memberKey).toBe(key);
  });

  it("drops a malformed key from the address and keeps nothing of it", () => {
    const replaced: string[] = [];
    const at = { hash: "#member=short", pathname: "/t/tbl_9", search: "" } as Location;
    const hist = {
      state: null,
      replaceState: (_s: unknown, _t: string, url: string) => replaced.push(url),
    } as unknown as History;
    expect(takeMemberKeyFromFragment(at, hist)).toBeUndefined();
    expect(replaced).toEqual(["/t/tbl_9"]);
    const none = { hash: "#key=abc", pathname: "/t/tbl_9", search: "" } as Location;
    expect(takeMemberKeyFromFragment(none, hist)).toBeUndefined();
    expect(replaced).toHaveLength(1);
  });
});
