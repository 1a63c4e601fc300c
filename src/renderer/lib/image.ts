// A photo from the computer, scaled down in the page before it is sent to search by: the model reads 224–512 px
// anyway, and a request stays far under the browser mode's 1 MiB body limit (~60–150 KB as JPEG).
export async function scaledPhoto(file: Blob, longest: number): Promise<Uint8Array<ArrayBuffer>> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, longest / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
  if (!blob) throw new Error('the photo could not be encoded');
  return new Uint8Array(await blob.arrayBuffer());
}
