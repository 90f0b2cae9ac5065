/** A readable browser and system from a user agent string, e.g. "Chrome 131 on Android". */
export function describeUserAgent(ua: string | undefined): string {
  if (!ua) return 'unknown'
  // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
  const browsers: [string, RegExp][] = [
    ['Edge', /Edg(?:e|A|iOS)?\/(\d+)/],
    ['Opera', /OPR\/(\d+)/],
    ['Samsung Internet', /SamsungBrowser\/(\d+)/],
    ['Firefox', /(?:Firefox|FxiOS)\/(\d+)/],
    ['Chrome', /(?:Chrome|CriOS)\/(\d+)/],
    ['Safari', /Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari/],
  ]
  const systems: [string, RegExp][] = [
    ['Android', /Android/],
    ['iOS', /iPhone|iPad|iPod/],
    ['Windows', /Windows/],
    ['macOS', /Mac OS X|Macintosh/],
    ['ChromeOS', /CrOS/],
    ['Linux', /Linux/],
  ]
  const browser = browsers.map(([name, re]) => [name, re.exec(ua)?.[1]] as const).find(([, v]) => v)
  const system = systems.find(([, re]) => re.test(ua))?.[0]
  const headless = /HeadlessChrome/.test(ua) ? ' (headless)' : ''
  const b = browser ? `${browser[0]} ${browser[1]}${headless}` : 'Unknown browser'
  return system ? `${b} on ${system}` : b
}
