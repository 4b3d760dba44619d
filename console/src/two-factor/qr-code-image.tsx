import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

/**
 * A QR code as a data: URL image: the CSP allows `img-src data:`, and an <img> needs neither
 * inline styles nor scripts (an SVG dropped into the DOM or a canvas sized by style would).
 */
export function QrCodeImage({ text, label }: { text: string; label: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 200 }).then(
      (url) => current && setSrc(url),
      () => current && setSrc(null),
    );
    return () => {
      current = false;
    };
  }, [text]);
  return src ? <img className="qr-code" src={src} alt={label} width={200} height={200} /> : null;
}
