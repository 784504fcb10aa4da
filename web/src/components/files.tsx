import { useLoad } from "../hooks";
import { fetchText, fileUrl, isTextFile, listFiles } from "../swarm";
import { Show } from "./common";

/**
 * A collection on Swarm as a file list with links through the proxy; text files whose path matches
 * `inline` (logs, say) are shown in place.
 */
export function Files({ reference, inline, label }: { reference: string; inline?: RegExp; label: string }) {
  const [loaded] = useLoad(
    async (signal) => {
      const files = await listFiles(reference, signal);
      return Promise.all(
        files.map(async (file) => ({
          ...file,
          url: await fileUrl(reference, file.path),
          text: inline && inline.test(file.path) && isTextFile(file) ? await fetchText(reference, file.path, signal).catch((error: Error) => `(${error.message})`) : undefined,
        })),
      );
    },
    [reference],
  );
  return (
    <section class="files" aria-label={label} data-ref={reference}>
      <Show loaded={loaded}>
        {(files) =>
          files.length === 0 ? (
            <p class="muted">No files.</p>
          ) : (
            <ul class="file-list">
              {files.map((file) => (
                <li key={file.path} data-path={file.path}>
                  <a href={file.url} target="_blank" rel="noopener">
                    {file.path}
                  </a>
                  {file.text !== undefined && (
                    <pre class="log" tabIndex={0} aria-label={`${file.path} contents`}>
                      {file.text}
                    </pre>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </Show>
    </section>
  );
}
