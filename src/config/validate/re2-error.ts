/** Why a pattern is not a regex graymesh can run: RE2's own reason, and how to write it instead. */
export class Re2Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Re2Error';
  }
}
