// The emulator installed alone: one generation over plain HTTP, as any client (curl, openai) sends it.
export default async function generate() {
  const { startEmulator } = await import('@seedream-kit/emulator');
  const emu = await startEmulator();
  try {
    const response = await fetch(`${emu.baseURL}/images/generations`, {
      method: 'POST',
      headers: { authorization: 'Bearer release-smoke', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'doubao-seedream-4-0-250828', prompt: 'a paper boat', size: '1024x1024', response_format: 'b64_json', watermark: false }),
    });
    const body = await response.json();
    const png = Buffer.from(body.data?.[0]?.b64_json ?? '', 'base64');
    if (response.status !== 200 || png.length < 100) throw new Error(`expected an image, got ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
    return { status: response.status, bytes: png.length };
  } finally {
    await emu.close();
  }
}
