export default async function globalTeardown() {
  await globalThis.__switchyardServices?.stop();
}
