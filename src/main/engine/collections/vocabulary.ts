// Words that can name a collection when no note names it: what people photograph — places, scenes, occasions,
// activities, things. Each space embeds them once with its text tower (kept in `vocabulary`); a collection is then
// named by the words nearest its photos' centroid, when they stand out from what unrelated text scores there.
// [Note: collections]
import type { Store } from '../store/index.js';
import type { Encoder } from '../models/encoder.js';

export const WORDS: readonly string[] = [
  // places and scenes
  'beach', 'sea', 'lake', 'river', 'waterfall', 'mountains', 'hills', 'forest', 'woods', 'park', 'garden', 'meadow',
  'desert', 'snow', 'glacier', 'island', 'harbour', 'coast', 'cliffs', 'cave', 'canyon', 'valley', 'countryside',
  'farm', 'vineyard', 'city', 'old town', 'street', 'market', 'square', 'bridge', 'castle', 'cathedral', 'church',
  'temple', 'mosque', 'palace', 'museum', 'gallery', 'library', 'zoo', 'aquarium', 'stadium', 'airport',
  'train station', 'campsite', 'village', 'skyline', 'night city', 'rooftop', 'home', 'kitchen', 'living room',
  'office', 'school', 'university', 'hospital', 'playground', 'pool', 'ski resort', 'lighthouse', 'ruins', 'tower',
  // nature and weather
  'sunset', 'sunrise', 'night sky', 'stars', 'moon', 'clouds', 'rain', 'storm', 'fog', 'rainbow', 'autumn leaves',
  'spring blossom', 'flowers', 'trees', 'waves', 'ice', 'fireworks', 'northern lights',
  // occasions
  'birthday', 'wedding', 'party', 'christmas', 'new year', 'halloween', 'easter', 'graduation', 'anniversary',
  'festival', 'concert', 'parade', 'holiday', 'vacation', 'road trip', 'picnic', 'barbecue', 'dinner', 'lunch',
  'breakfast', 'brunch', 'family gathering', 'reunion', 'baby', 'newborn', 'first day of school', 'moving house',
  'renovation', 'conference', 'meeting', 'workshop', 'lecture', 'exhibition', 'game night', 'sleepover',
  // activities
  'hiking', 'climbing', 'cycling', 'running', 'marathon', 'swimming', 'surfing', 'sailing', 'kayaking', 'fishing',
  'skiing', 'snowboarding', 'skating', 'camping', 'gardening', 'cooking', 'baking', 'reading', 'painting',
  'drawing', 'music', 'dancing', 'football', 'basketball', 'tennis', 'golf', 'yoga', 'gym', 'shopping',
  'sightseeing', 'train ride', 'flight', 'boat trip', 'museum visit', 'walk', 'playing', 'crafts', 'knitting',
  // things
  'food', 'cake', 'coffee', 'tea', 'wine', 'beer', 'pizza', 'sushi', 'noodles', 'fruit', 'vegetables', 'bread',
  'dog', 'cat', 'horse', 'birds', 'wildlife', 'pets', 'car', 'bicycle', 'motorcycle', 'boat', 'train', 'plane',
  'books', 'documents', 'receipts', 'whiteboard', 'screenshots', 'diagrams', 'maps', 'tickets', 'toys', 'lego',
  'art', 'sculpture', 'architecture', 'interior', 'furniture', 'plants', 'fashion', 'portrait', 'selfie', 'friends',
  'family', 'children', 'kids', 'grandparents', 'couple', 'crowd', 'team', 'classroom', 'laboratory', 'computer',
  'phone', 'camera', 'guitar', 'piano', 'sports', 'games', 'christmas tree', 'presents', 'candles', 'balloons',
];

/**
 * The words and their vectors for a space, embedded on first need — by the indexing worker (`embedTexts`), not the
 * query worker, which `trove index` does not start (~100 MB). [Note: ocr-memory]
 */
export async function vocabulary(store: Store, spaceId: number, encoder: Encoder | null): Promise<{ words: string[]; vectors: Float32Array[] } | null> {
  if (encoder && !encoder.canEmbedTexts) return null;
  const read = () =>
    store.db.prepare<[number], { word: string; vector: Buffer }>('SELECT word, vector FROM vocabulary WHERE space_id = ? ORDER BY word').all(spaceId);
  let rows = read();
  if (rows.length < WORDS.length) {
    if (!encoder) return rows.length ? unpack(rows) : null; // no encoder at hand: the words embedded so far
    const have = new Set(rows.map((r) => r.word));
    const missing = WORDS.filter((w) => !have.has(w));
    const vectors: Float32Array[] = [];
    for (let i = 0; i < missing.length; i += 32) vectors.push(...(await encoder.embedTexts(missing.slice(i, i + 32).map((w) => `a photo of ${w}`))));
    store.transaction(() => {
      const stmt = store.db.prepare('INSERT OR REPLACE INTO vocabulary (space_id, word, vector) VALUES (?, ?, ?)');
      missing.forEach((w, i) => stmt.run(spaceId, w, Buffer.from(vectors[i]!.buffer, vectors[i]!.byteOffset, vectors[i]!.byteLength)));
    });
    rows = read();
  }
  return unpack(rows);
}

function unpack(rows: readonly { word: string; vector: Buffer }[]): { words: string[]; vectors: Float32Array[] } {
  return {
    words: rows.map((r) => r.word),
    vectors: rows.map((r) => new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength))),
  };
}
