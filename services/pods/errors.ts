/** A refused pod operation (persist, fork, share). The message names the pod, folder or value at fault. */
export class PodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PodError";
  }
}
