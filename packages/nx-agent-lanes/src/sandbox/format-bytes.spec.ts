import { formatBytes } from './format-bytes';

describe('formatBytes', () => {
  it('formats sizes for a person', () => {
    expect([812, 3584, 96 * 1024 * 1024 + 512 * 1024, 8 * 1024 * 1024].map(formatBytes)).toEqual(['812 B', '3.5 KiB', '96.5 MiB', '8 MiB']);
  });
});
